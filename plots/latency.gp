# SPDX-License-Identifier: GPL-2.0-or-later
# Cumulative distribution of alloc or free latency in cycles, one line per run.
# Input (in): blocks separated by two blank lines, one per run: a title line,
#   then ",cycles,fraction" rows (the upper edge of each histogram bin and the
#   share of calls at or below it).  nruns: number of blocks.
# Output (out); optional: title, op ("alloc" or "free"), fmt ("png" or "svg").
if (!exists("in") || !exists("out") || !exists("nruns")) { print "usage: gnuplot -e \"in='l.csv'; out='l.png'; nruns=2\" latency.gp"; exit }
if (!exists("op")) op = "alloc"
if (!exists("title")) title = "Latency of ".op." in cycles: cumulative distribution"
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 1100,600 dynamic font ",10" } else { set terminal pngcairo size 1100,600 font ",10" }
set output out
set datafile separator ","
set title title noenhanced
set xlabel op." latency (cycles, log scale)"
set ylabel "share of ".op."s at or below"
set logscale x
set yrange [0:1.02]
set grid
set key outside right top noenhanced
plot for [i=0:nruns-1] in index i using 2:3 with steps lw 2 dt i / 8 + 1 title columnhead(1)

# SPDX-License-Identifier: GPL-2.0-or-later
# Slab memory held over simulated time, one line per run.
# Input (in): blocks separated by two blank lines, one per run: a title line,
#   then ",t_s,slab_kib" rows from the memory table (cache IS NULL: totals).
# Output (out); optional: title, fmt ("png" or "svg").
if (!exists("in") || !exists("out") || !exists("nruns")) { print "usage: gnuplot -e \"in='m.csv'; out='m.png'; nruns=2\" memory.gp"; exit }
if (!exists("title")) title = "Slab memory held over time"
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 1100,600 dynamic font ",10" } else { set terminal pngcairo size 1100,600 font ",10" }
set output out
set datafile separator ","
set title title noenhanced
set xlabel "simulated time (s)"
set ylabel "slab pages held (KiB)"
set grid
set key outside right top noenhanced
# one data block per run: blocks are separated by two blank lines
plot for [i=0:nruns-1] in index i using 2:3 with steps lw 2 dt i / 8 + 1 title columnhead(1)

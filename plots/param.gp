# SPDX-License-Identifier: GPL-2.0-or-later
# A metric against a swept parameter, one line per value of a second one.
# Input (in): blocks separated by two blank lines, one per line: a title line,
#   then "x,y" rows.  nlines: number of blocks; xlabel, ylabel: axis labels.
# Output (out); optional: title, fmt ("png" or "svg"), logx (1: log2 x axis).
if (!exists("in") || !exists("out") || !exists("nlines")) { print "usage: gnuplot -e \"in='x.csv'; out='x.png'; nlines=3; xlabel='size'; ylabel='cycles'\" param.gp"; exit }
if (!exists("title")) title = ylabel." against ".xlabel
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 1000,600 dynamic font ",10" } else { set terminal pngcairo size 1000,600 font ",10" }
set output out
set datafile separator ","
set title title noenhanced
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
if (exists("logx") && logx) set logscale x 2
set grid
set key outside right top noenhanced
plot for [i=0:nlines-1] in index i using 1:2 with linespoints lw 2 pt 7 title columnhead(1)

# SPDX-License-Identifier: GPL-2.0-or-later
# A metric over two swept parameters: one coloured square per configuration,
# its value written on it.
# Input (in): CSV without header: x,y,value.  xlabel, ylabel, zlabel: names.
# Output (out); optional: title, fmt ("png" or "svg").
if (!exists("in") || !exists("out")) { print "usage: gnuplot -e \"in='h.csv'; out='h.png'; xlabel='size'; ylabel='batch'; zlabel='cycles'\" heatmap.gp"; exit }
if (!exists("title")) title = zlabel." over ".xlabel." and ".ylabel
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 900,650 dynamic font ",10" } else { set terminal pngcairo size 900,650 font ",10" }
set output out
set datafile separator ","
set title title noenhanced
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
set cblabel zlabel noenhanced
set logscale xy 2
set offsets graph 0.1, graph 0.1, graph 0.1, graph 0.1
set palette defined (0 "#2c7bb6", 1 "#ffffbf", 2 "#d7191c")
unset key
plot in using 1:2:3 with points pt 5 ps 7 palette, \
     in using 1:2:(sprintf("%.1f", $3)) with labels font ",8"

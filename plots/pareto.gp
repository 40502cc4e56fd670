# SPDX-License-Identifier: GPL-2.0-or-later
# The trade-off: memory held against lock acquisitions (or cycles) per
# operation, one point per run, the Pareto front (no other run has both less
# memory and a smaller x) joined by a line.
# Input (in): CSV with a header: label,x,peak_kib,front (front 1 or 0),
#   rows sorted by x.
# Output (out); optional: title, xlabel, fmt ("png" or "svg").
if (!exists("in") || !exists("out")) { print "usage: gnuplot -e \"in='p.csv'; out='p.png'\" pareto.gp"; exit }
if (!exists("title")) title = "Memory held against lock acquisitions per operation"
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 1100,650 dynamic font ",10" } else { set terminal pngcairo size 1100,650 font ",10" }
set output out
set datafile separator ","
set title title noenhanced
if (!exists("xlabel")) xlabel = "lock acquisitions per alloc or free (all classes)"
set xlabel xlabel noenhanced
set ylabel "peak slab memory (KiB)"
set grid
set key top right noenhanced
set offsets graph 0.05, graph 0.15, graph 0.1, 0
set yrange [0:*]
plot in using 2:3 with points pt 7 ps 1.2 title "runs", \
     in using 2:($4 > 0 ? $3 : 1/0) with linespoints lw 2 pt 7 ps 1.6 title "Pareto front", \
     in using 2:($4 > 0 ? $3 : 1/0):1 with labels offset 0.8,0.8 left font ",8" notitle

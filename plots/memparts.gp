# SPDX-License-Identifier: GPL-2.0-or-later
# Memory held over simulated time, split into three panels sharing the time
# axis: pages in slabs, allocator metadata outside struct page, and free
# objects parked in per-cpu and per-node caches (count x object size).
# Input (in): blocks separated by two blank lines, one per run: a title line,
#   then ",t_s,slab_kib,meta_kib,cached_kib" rows.  nruns: number of blocks.
# Output (out); optional: title, fmt ("png" or "svg").
if (!exists("in") || !exists("out") || !exists("nruns")) { print "usage: gnuplot -e \"in='m.csv'; out='m.png'; nruns=2\" memparts.gp"; exit }
if (!exists("title")) title = "Memory held over simulated time"
if (!exists("fmt")) fmt = "png"
if (fmt eq "svg") { set terminal svg size 1200,950 dynamic font ",10" } else { set terminal pngcairo size 1200,950 font ",10" }
set output out
set datafile separator ","
set grid
set lmargin at screen 0.09
set rmargin at screen 0.64
set multiplot layout 3,1 title title noenhanced
set key outside right top noenhanced
set ylabel "slab pages (KiB)"
set format x ""
plot for [i=0:nruns-1] in index i using 2:3 with steps lw 2 dt i / 8 + 1 title columnhead(1)
unset key
set ylabel "metadata outside struct page (KiB)"
plot for [i=0:nruns-1] in index i using 2:4 with steps lw 2 dt i / 8 + 1 title columnhead(1)
set ylabel "objects parked in caches (KiB)"
set format x "%g"
set xlabel "simulated time (s)"
plot for [i=0:nruns-1] in index i using 2:5 with steps lw 2 dt i / 8 + 1 title columnhead(1)
unset multiplot

# SPDX-License-Identifier: GPL-2.0-or-later
# Lock acquisitions per operation by lock class, one cluster per run.
# Input (in): CSV with a header: label,list_lock,slab_lock,zone_lock,pcp_lock
#   one row per run (label = policy and machine), values = acquisitions per
#   alloc or free, from the summary_lock view.
# Output (out): PNG.  Optional: title.
if (!exists("in") || !exists("out")) { print "usage: gnuplot -e \"in='x.csv'; out='x.png'\" policies.gp"; exit }
if (!exists("title")) title = "Lock acquisitions per operation"
set terminal pngcairo size 1100,600 font ",10"
set output out
set datafile separator ","
set title title
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "acquisitions per alloc or free"
set logscale y
set yrange [0.0001:*]
set grid ytics
set key outside right top noenhanced
set xtics rotate by -20 left noenhanced
plot for [c=2:5] in using c:xtic(1) title columnheader(c)

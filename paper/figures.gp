# figures.gp - the paper's figures from paper/reduce.py's data (gen/dat/), drawn with gnuplot's
# cairolatex terminal: each figure is gen/fig_NAME.pdf (the graphics) + gen/fig_NAME.tex (the text,
# set by LaTeX; \input from paper.tex). Run from paper/: gnuplot -e "gen='gen'" figures.gp
if (!exists("gen")) gen = "gen"
d = gen."/dat/"
set terminal cairolatex pdf size 3.3in,2.6in font ",8" dashlength 0.6
set grid lc rgb "#dddddd"
set key samplen 2 spacing 1.1 opaque box lc rgb "#bbbbbb"

# --- Can't Be Late: per-window cost, Table 3 setting
set output gen."/fig_cbl_cdf.tex"
set xlabel "cost per window (\\$)"
set ylabel "fraction of windows"
set key bottom right
plot d."cbl_cdf_greedy.dat" w l lw 3 t "greedy", \
     d."cbl_cdf_uniform_progress.dat" w l lw 3 t "Uniform Progress", \
     d."cbl_cdf_omniscient.dat" w l lw 3 t "optimum"
unset output

# --- Can't Be Late: savings vs job fraction, smallest and largest changeover
set output gen."/fig_cbl_sweep.tex"
set xlabel "job fraction $C/R$"
set ylabel "savings vs on-demand (\\%)"
set key at screen 0.5, screen 0.01 center bottom horizontal maxrows 2 width 2 spacing 1.3
set bmargin 8
dlist = system("ls ".d." | sed -n 's/^cbl_sweep_\\(.*\\)_greedy.dat$/\\1/p' | sort -g | sed -n '1p;$p' | tr '\\n' ' '")
plot for [dd in dlist] d."cbl_sweep_".dd."_greedy.dat" w lp dt 2 pt 6 lw 2 t "greedy, $d=".dd."$", \
     for [dd in dlist] d."cbl_sweep_".dd."_uniform_progress.dat" w lp pt 7 lw 2 t "UP, $d=".dd."$", \
     for [dd in dlist] d."cbl_sweep_".dd."_omniscient.dat" w l lw 3 t "optimum, $d=".dd."$"
unset output

# --- multi-region: cost relative to the artifact's optimal plan vs number of zones
set output gen."/fig_mr_scaling.tex"
set xlabel "zones"
set ylabel "cost / optimal plan"
set key at screen 0.5, screen 0.01 center bottom horizontal maxrows 2 width 2 spacing 1.3
set bmargin 6.5
set logscale y
f = d."mr_scaling_fig.dat"
nb = int(system("grep -c '^\"' ".f))
plot for [i=0:nb-1] f index i u 1:2 w lp lw 2 t columnhead(1)
unset logscale y
set bmargin
unset output

# --- serving: the SpotHedge artifact, cost relative to on-demand per trace
set output gen."/fig_sh_cost.tex"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set xlabel "trace"
set ylabel "cost / on-demand"
set yrange [0:0.9]
set key at screen 0.5, screen 0.01 center bottom horizontal maxrows 1 width 2
set bmargin 5
plot d."sh_relcost.dat" u 2:xtic(1) t "NaiveSpread", "" u 3 t "RoundRobin", "" u 4 t "SpotHedge", "" u 5 t "Optimal"
unset output

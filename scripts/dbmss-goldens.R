# Reference values of dbmss 2.11 (and spatstat) for the envelope, weighted-Kd and polygon-window
# agreement tests of Cluster Atlas.
#
# Usage: Rscript scripts/dbmss-goldens.R WORKDIR
# (R_LIBS must hold dbmss: ../shared/tools/dbmss/install.sh). Run through
# scripts/regenerate-dbmss-goldens.sh, which first writes WORKDIR/sims_*.csv: simulated curves
# made by Cluster Atlas (one row per distance, column r then one column per simulation).
# For each, dbmss's own GlobalEnvelope (the band of KdEnvelope/MEnvelope with Global = TRUE)
# is computed on exactly those curves at Alpha = 0.05 and 0.10 and written to
# WORKDIR/band_*.csv. paracou16 (shipped with dbmss) is exported with its Kd and weighted Kd
# of V. Americana (Kdhat, Approximate = 0). Numbers are written with 17 significant digits.
suppressPackageStartupMessages(library(dbmss))
args <- commandArgs(trailingOnly = TRUE)
work <- args[1]

num <- function(x) sprintf("%.17g", x)
write_num <- function(frame, path) {
  out <- as.data.frame(lapply(frame, function(col) if (is.numeric(col)) num(col) else col))
  utils::write.csv(out, path, row.names = FALSE, quote = FALSE)
}

for (path in Sys.glob(file.path(work, "sims_*.csv"))) {
  sims <- utils::read.csv(path)
  curves <- spatstat.explore::fv(sims, argu = "r", valu = names(sims)[2],
                                 desc = rep("simulated value", ncol(sims)))
  band <- data.frame(r = sims$r)
  for (alpha in c(0.05, 0.10)) {
    env <- dbmss:::GlobalEnvelope(curves, alpha)
    suffix <- sprintf("%02d", round(100 * alpha))
    band[[paste0("lo_", suffix)]] <- as.numeric(env[1, ])
    band[[paste0("hi_", suffix)]] <- as.numeric(env[2, ])
  }
  write_num(band, file.path(work, sub("^sims_", "band_", basename(path))))
}

X <- paracou16
type <- "V. Americana"
points <- data.frame(x = X$x, y = X$y, industry = as.character(marks(X)$PointType),
                     weight = marks(X)$PointWeight)
write_num(points, file.path(work, "paracou16_points.csv"))
plain <- Kdhat(X, ReferenceType = type, Approximate = 0)
weighted <- Kdhat(X, ReferenceType = type, Weighted = TRUE, Approximate = 0)
write_num(data.frame(r = plain$r, Kd = plain$Kd, Kd_weighted = weighted$Kd),
          file.path(work, "paracou16_kd.csv"))

# Polygon windows: paracou16's own window (a 13-vertex polygon) with the default distances
# of Kdhat (rmax = diameter / 3) and Mhat (up to diameter / 2), both taken from spatstat's
# diameter of the polygon; weighted M of V. Americana; spatstat's Kest with Ripley's
# isotropic correction on the polygon (the correction Cluster Atlas implements).
rings <- function(win) {
  parts <- spatstat.geom::as.polygonal(win)$bdry
  do.call(rbind, lapply(seq_along(parts), function(k)
    data.frame(ring = k, x = parts[[k]]$x, y = parts[[k]]$y)))
}
write_num(rings(X$window), file.path(work, "paracou16_window.csv"))
m <- Mhat(X, ReferenceType = type)
write_num(data.frame(r = m$r, M = m$M), file.path(work, "paracou16_m.csv"))
trees <- spatstat.geom::unmark(X[marks(X)$PointType == type])
# Distances off the 0.1 m grid of the coordinates: Kest's isotropic sums bin distances in
# [r[k], r[k+1]) (whist), so a pair at exactly r (7.5 m: 4.5 and 6.0 apart) would count
# only from the next r, while K(r) counts d <= r (as Kest's "none" does).
k_r <- c(0, seq(2.4937, 60, by = 2.5))
k <- spatstat.explore::Kest(trees, r = k_r, correction = "isotropic")
write_num(data.frame(r = k$r, K = k$iso), file.path(work, "paracou16_k.csv"))

# An irregular window with a hole (an L-shaped plot around a pond) and 150 points drawn in
# it: Kest with the isotropic correction, where circles cross the re-entrant corner and
# the hole.
outer <- list(x = c(0, 1000, 1000, 450, 450, 0), y = c(0, 0, 400, 400, 900, 900))
pond <- list(x = c(150, 150, 300, 300), y = c(150, 300, 300, 150))
lshape <- spatstat.geom::owin(poly = list(outer, pond))
set.seed(20261202)
lpoints <- spatstat.random::runifpoint(150, win = lshape)
write_num(rings(lshape), file.path(work, "lshape_window.csv"))
write_num(data.frame(x = lpoints$x, y = lpoints$y, industry = "A"),
          file.path(work, "lshape_points.csv"))
lk <- spatstat.explore::Kest(lpoints, r = seq(0, 300, by = 10), correction = "isotropic")
write_num(data.frame(r = lk$r, K = lk$iso), file.path(work, "lshape_k.csv"))
cat("diameter of paracou16's window:", num(spatstat.geom::diameter(X$window)), "\n")

# Reference values of dbmss 2.11 for the envelope and weighted-Kd agreement tests of Cluster Atlas.
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

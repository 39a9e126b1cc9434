# Reference values of EconGeo 2.1 and REAT 3.0.3 for the agreement tests of Cluster Atlas.
#
# Usage: Rscript scripts/econgeo-reat-references.R OUT.json [EU_SBS_2014.csv]
# (R_LIBS must hold EconGeo and REAT: scripts/install-r-references.sh). Run through
# scripts/regenerate-r-references.sh, which also writes the EU SBS matrix with the
# project's reader. Every number is written with 17 significant digits, after the
# package's own rounding (EconGeo rounds gini, entropy, hoover_index, relatedness_density).
suppressPackageStartupMessages({
  library(EconGeo)
  library(REAT)
})
args <- commandArgs(trailingOnly = TRUE)
out_path <- args[1]
sbs_path <- if (length(args) >= 2) args[2] else NA

num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.finite(x), sprintf("%.17g", x), "null")
}
json <- function(x) {
  if (is.list(x)) {
    keys <- names(x)
    if (is.null(keys)) {
      return(paste0("[", paste(vapply(x, json, ""), collapse = ", "), "]"))
    }
    body <- vapply(seq_along(x), function(i) paste0('"', keys[i], '": ', json(x[[i]])), "")
    return(paste0("{", paste(body, collapse = ",\n "), "}"))
  }
  if (is.character(x)) {
    return(paste0("[", paste0('"', x, '"', collapse = ", "), "]"))
  }
  if (!is.null(names(x))) {
    return(json(setNames(as.list(as.numeric(x)), names(x))))
  }
  paste0("[", paste(num(x), collapse = ", "), "]")
}
as_rows <- function(m) lapply(seq_len(nrow(m)), function(i) as.numeric(m[i, ]))
matrix_case <- function(mat) {
  list(
    regions = rownames(mat), industries = colnames(mat),
    morc = EconGeo::morc(mat, rca = TRUE), mort = EconGeo::mort(mat, rca = TRUE),
    morc_1 = EconGeo::morc(mat, rca = TRUE, steps = 1), mort_1 = EconGeo::mort(mat, rca = TRUE, steps = 1),
    morc_2 = EconGeo::morc(mat, rca = TRUE, steps = 2), mort_2 = EconGeo::mort(mat, rca = TRUE, steps = 2),
    morc_3 = EconGeo::morc(mat, rca = TRUE, steps = 3), mort_3 = EconGeo::mort(mat, rca = TRUE, steps = 3),
    hoover_uniform = EconGeo::hoover_index(mat)$hoover_index,
    hoover_total = EconGeo::hoover_index(mat, rowSums(mat))$hoover_index,
    gini = EconGeo::gini(mat)$Gini,
    locational_gini = EconGeo::locational_gini(mat)$Loc_gini,
    spec_coeff = as.numeric(EconGeo::spec_coeff(mat)),
    entropy = as.numeric(EconGeo::entropy(mat)),
    kci = EconGeo::kci(mat, rca = TRUE), tci = EconGeo::tci(mat, rca = TRUE),
    gini_spec = vapply(seq_len(nrow(mat)), function(r) {
      if (sum(mat[r, ]) == 0) NA_real_ else gini.spec(mat[r, ], colSums(mat))
    }, 0.0)
  )
}

cases <- list()

# Hand-made: a zero row (r5), LQs of exactly 1 (r2 in i3 and i4), an asymmetric relatedness
# matrix with a diagonal of 1.
hand <- matrix(c(
  10, 0, 5, 5, 0,
  0, 20, 5, 5, 10,
  5, 5, 5, 5, 0,
  20, 10, 5, 5, 40,
  0, 0, 0, 0, 0
), nrow = 5, byrow = TRUE, dimnames = list(paste0("r", 1:5), paste0("i", 1:5)))
relatedness <- matrix(c(
  1, .5, .2, 0, .1,
  .1, 1, .4, .3, 0,
  .6, .2, 1, 0, .5,
  0, .7, .1, 1, .2,
  .3, 0, .9, .4, 1
), nrow = 5, byrow = TRUE, dimnames = list(colnames(hand), colnames(hand)))
nonzero <- hand[rowSums(hand) > 0, ]
hand_case <- matrix_case(nonzero)
hand_case$matrix <- as_rows(hand)
hand_case$all_regions <- rownames(hand)
hand_case$relatedness <- as_rows(relatedness)
hand_case$relatedness_density <- as_rows(
  EconGeo::relatedness_density(EconGeo::location_quotient(hand, binary = TRUE), relatedness)
)
hand_case$location_quotient <- as_rows(EconGeo::location_quotient(hand))
hand_case$hoover_index_with_zero_row <- EconGeo::hoover_index(hand)$hoover_index
cases$hand <- hand_case

# REAT's example data: Freiburg 2008-2014 (shift, shifti), Goettingen 2008-2017 (shiftd),
# the German Laender in 2015 (gini.spec).
data(Freiburg, package = "REAT")
fr <- Freiburg
components <- function(x) as.list(setNames(as.numeric(x), rownames(x)))
cases$freiburg <- list(
  industries = as.character(fr$industry),
  e_ij1 = fr$e_Freiburg2008, e_ij2 = fr$e_Freiburg2014,
  e_i1 = fr$e_Germany2008, e_i2 = fr$e_Germany2014,
  dunn = components(shift(fr$e_Freiburg2008, fr$e_Freiburg2014, fr$e_Germany2008,
    fr$e_Germany2014, print.results = FALSE)$components),
  esteban = components(shift(fr$e_Freiburg2008, fr$e_Freiburg2014, fr$e_Germany2008,
    fr$e_Germany2014, shift.method = "Esteban", print.results = FALSE)$components),
  shifti = lapply(split(shifti(fr$e_Freiburg2008, fr$e_Freiburg2014, fr$e_Germany2008,
    fr$e_Germany2014, print.results = FALSE)$components.industry, seq_len(4)), as.numeric)
)
names(cases$freiburg$shifti) <- rownames(shifti(fr$e_Freiburg2008, fr$e_Freiburg2014,
  fr$e_Germany2008, fr$e_Germany2014, print.results = FALSE)$components.industry)

data(Goettingen, package = "REAT")
go <- as.data.frame(Goettingen[-1, ]) # row 1 is the total A-R
region_cols <- paste0("Goettingen", 2008:2017)
nation_cols <- paste0("BRD", 2008:2017)
dyn <- shiftd(go$Goettingen2008, go[, region_cols[-1]], go$BRD2008, go[, nation_cols[-1]],
  time1 = 2008, time2 = 2017, print.results = FALSE)
cases$goettingen <- list(
  industries = go$WZ2008_Code,
  region = lapply(region_cols, function(c) go[[c]]),
  nation = lapply(nation_cols, function(c) go[[c]]),
  shiftd = components(dyn$components),
  shiftd_2008_2009 = as.numeric(dyn$components.year[, 1])
)

data(G.regions.industries, package = "REAT")
gri <- as.data.frame(G.regions.industries)
laender <- reshape(gri[, c("region_code", "ind_code", "emp_all")], idvar = "region_code",
  timevar = "ind_code", direction = "wide")
lmat <- as.matrix(laender[, -1])
dimnames(lmat) <- list(laender$region_code, sub("emp_all.", "", colnames(lmat)))
cases$laender <- list(
  regions = rownames(lmat), industries = colnames(lmat), matrix = as_rows(lmat),
  gini_spec = vapply(seq_len(nrow(lmat)), function(r) gini.spec(lmat[r, ], colSums(lmat)), 0.0),
  hoover_uniform = EconGeo::hoover_index(lmat)$hoover_index
)

if (!is.na(sbs_path)) {
  sbs <- as.matrix(read.csv(sbs_path, row.names = 1, check.names = FALSE))
  cases$eu_sbs_2014 <- matrix_case(sbs[rowSums(sbs) > 0, colSums(sbs) > 0])
}

header <- list(
  generated_by = "scripts/econgeo-reat-references.R",
  econgeo = as.character(packageVersion("EconGeo")),
  reat = as.character(packageVersion("REAT")),
  r = paste(R.version$major, R.version$minor, sep = ".")
)
writeLines(paste0("{", '"about": ', json(header), ",\n", '"cases": ', json(cases), "}"), out_path)

# DeLong references for libs/quality, from R's pROC (Debian r-cran-proc).
# Called by generate.py (not by hand): Rscript delong.R <events.csv> <jobs.csv> <out.csv>
#   events.csv: case,series,score,label   (one row per event)
#   jobs.csv:   job,kind,case1,series1,case2,series2   (kind: single | paired | unpaired | normal | t)
#   out.csv:    job,key,value   (values printed with 17 significant digits)
suppressMessages(library(pROC))
args <- commandArgs(trailingOnly = TRUE)
events <- read.csv(args[1], stringsAsFactors = FALSE)
jobs <- read.csv(args[2], stringsAsFactors = FALSE)
out <- file(args[3], "w")
put <- function(job, key, value) writeLines(sprintf("%s,%s,%.17g", job, key, value), out)
writeLines("job,key,value", out)
writeLines(sprintf("versions,R,%s", paste(R.version$major, R.version$minor, sep = ".")), out)
writeLines(sprintf("versions,pROC,%s", as.character(packageVersion("pROC"))), out)

curve <- function(case, series) {
  e <- events[events$case == case & events$series == series, ]
  # Fixed levels and direction: controls are label 0, and higher scores mean label 1.
  roc(e$label, e$score, levels = c(0, 1), direction = "<", quiet = TRUE)
}

for (i in seq_len(nrow(jobs))) {
  j <- jobs[i, ]
  if (j$kind == "single") {
    r <- curve(j$case1, j$series1)
    ci <- ci.auc(r, method = "delong", conf.level = 0.95)
    put(j$job, "auc", as.numeric(r$auc))
    put(j$job, "variance", var(r, method = "delong"))
    put(j$job, "lower", ci[1])
    put(j$job, "upper", ci[3])
  } else if (j$kind == "paired" || j$kind == "unpaired") {
    t <- roc.test(curve(j$case1, j$series1), curve(j$case2, j$series2),
                  method = "delong", paired = (j$kind == "paired"), conf.level = 0.95)
    put(j$job, "statistic", t$statistic)
    put(j$job, "pValue", t$p.value)
    put(j$job, "firstAuc", t$estimate[1])
    put(j$job, "secondAuc", t$estimate[2])
    if (j$kind == "paired") {
      put(j$job, "lower", t$conf.int[1])
      put(j$job, "upper", t$conf.int[2])
    } else {
      put(j$job, "degreesOfFreedom", t$parameter)
    }
  } else if (j$kind == "normal") {
    x <- as.numeric(j$case1)
    put(j$job, "pnorm", pnorm(x))
    put(j$job, "pnormUpper", pnorm(x, lower.tail = FALSE))
    p <- as.numeric(j$case2)
    put(j$job, "qnorm", qnorm(p))
  } else if (j$kind == "t") {
    put(j$job, "pt", pt(as.numeric(j$case1), df = as.numeric(j$case2)))
  }
}
close(out)

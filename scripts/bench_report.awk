# SPDX-License-Identifier: MIT
# One job of `make bench`: turns the result lines of a run (see
# bench/harness.h) into the Markdown tables of bench/RESULTS.md: medians
# with min and max over the runs, ratios rapport/peer of the medians, the
# goals of issue 6 as met or not met, the HTTP figures and the growth
# table. Usage: awk -f bench_report.awk RESULTS.txt

function add(key, v) {
    n[key]++
    val[key, n[key]] = v + 0
}

# Median, min and max of the values under key (sorted in place).
function stats(key,    i, j, t, c) {
    c = n[key]
    for (i = 2; i <= c; i++)
        for (j = i; j > 1 && val[key, j - 1] > val[key, j]; j--) {
            t = val[key, j]; val[key, j] = val[key, j - 1]; val[key, j - 1] = t
        }
    if (c == 0) { MED = ""; MIN = ""; MAX = ""; return 0 }
    MED = c % 2 ? val[key, (c + 1) / 2] \
                : (val[key, c / 2] + val[key, c / 2 + 1]) / 2
    MIN = val[key, 1]; MAX = val[key, c]
    return c
}

function med(key) { stats(key); return MED }

# Thousands separators for a whole number.
function commas(x,    s, neg) {
    s = sprintf("%.0f", x)
    neg = s ~ /^-/
    if (neg) s = substr(s, 2)
    while (s ~ /[0-9][0-9][0-9][0-9]/)
        sub(/[0-9][0-9][0-9]([,.]|$)/, ",&", s)
    return (neg ? "-" : "") s
}

function fmt(x, kind) {
    if (x == "") return "-"
    if (kind == "ms") return sprintf("%.3f", x)
    if (kind == "mb") return sprintf("%.1f", x / 1e6)
    if (kind == "s") return sprintf("%.2f", x)
    if (kind == "f1") return sprintf("%.1f", x)
    if (kind == "f2") return sprintf("%.2f", x)
    return commas(x)
}

# "median (min-max)" for key, or "median" when there was one run.
function cell(key, kind,    c) {
    c = stats(key)
    if (c == 0) return "-"
    if (c == 1 || MIN == MAX) return fmt(MED, kind)
    return fmt(MED, kind) " (" fmt(MIN, kind) "-" fmt(MAX, kind) ")"
}

function ratio(a, b) {
    if (a == "" || b == "" || b == 0) return "-"
    return sprintf("%.2f", a / b)
}

function row(label, metric, kind,    r, f, x) {
    r = "1x|rapport|" metric; f = "1x|fts5|" metric; x = "1x|xapian|" metric
    printf "| %s | %s | %s | %s | %s | %s |\n", label, cell(r, kind),
           cell(f, kind), cell(x, kind), ratio(med(r), med(f)),
           ratio(med(r), med(x))
}

function goal(text, measured, r, ok) {
    printf "| %s | %s | %s | %s |\n", text, measured, r,
           ok ? "met" : "**not met**"
}

{
    delete kv
    for (i = 2; i <= NF; i++) {
        split($i, p, "=")
        kv[p[1]] = p[2]
    }
    size = kv["size"]; eng = kv["engine"]; cmd = kv["cmd"]
    if (cmd == "skipped")
        skipped[size "|" eng] = 1
    if (cmd == "build") {
        pre = size "|" eng "|build_"
        add(pre "docs_s", kv["docs_s"]); add(pre "mb_s", kv["mb_s"])
        add(pre "secs", kv["secs"]); add(pre "cpu_s", kv["cpu_s"])
        add(pre "rss_mb", kv["rss_mb"]); add(pre "bytes", kv["bytes"])
        add(pre "nostore", kv["bytes_nostore"]); add(pre "docs", kv["docs"])
        # Postings and positions, as near as each engine's parts allow:
        # FTS5's data table also holds its term dictionary.
        if (eng == "rapport") pp = kv["postings"]
        else if (eng == "fts5") pp = kv["data"]
        else pp = kv["postlist"] + kv["position"]
        add(pre "pp", pp)
    } else if (cmd == "query") {
        pre = size "|" eng "|" kv["mode"] "_"
        add(pre "p50", kv["p50_ms"]); add(pre "p95", kv["p95_ms"])
        add(pre "p99", kv["p99_ms"]); add(pre "qps", kv["qps"])
        add(pre "mean", kv["mean_ms"]); add(pre "hits", kv["hits"])
        add(pre "queries", kv["queries"])
        add(size "|" eng "|query_rss_mb", kv["rss_mb"])
    } else if (cmd == "api") {
        add("api_mean", kv["mean_ms"]); add("api_ceiling", kv["ceiling_rps"])
        add("api_p50", kv["p50_ms"]); add("api_p99", kv["p99_ms"])
        add("api_qps", kv["qps"]); cores = kv["cores"]
    } else if (cmd == "http") {
        pre = "http_" kv["target"] "_"
        add(pre "rps", kv["rps"]); add(pre "p50", kv["p50_ms"])
        add(pre "p99", kv["p99_ms"]); add(pre "bad", kv["non2xx"])
        add(pre "cores", kv["server_cores"])
        if (kv["rps"] > 0)
            add(pre "cpu_ms", kv["server_cores"] * 1000 / kv["rps"])
        conns = kv["connections"]; wsecs = kv["seconds"]
    }
}

END {
    runs = stats("1x|rapport|build_docs_s")
    printf "## rapport against SQLite FTS5 and Xapian, whole corpus\n\n"
    printf "Median (min-max) of %d runs, engines alternating; ratios are " \
           "rapport/peer of the medians (above 1 is better for rates, " \
           "below 1 for times, sizes and memory).\n\n", runs
    print "| figure | rapport | FTS5 | Xapian | rapport/FTS5 | rapport/Xapian |"
    print "|---|---|---|---|---|---|"
    row("build: documents/s", "build_docs_s", "n")
    row("build: MB/s of JSON", "build_mb_s", "f1")
    row("build: seconds", "build_secs", "s")
    row("build: CPU seconds", "build_cpu_s", "s")
    row("build: peak RSS MB", "build_rss_mb", "n")
    row("index MB on disk, total", "build_bytes", "mb")
    row("index MB without stored text", "build_nostore", "mb")
    row("postings+positions MB (FTS5: data table)", "build_pp", "mb")
    split("or and phrase", modes, " ")
    for (m = 1; m <= 3; m++) {
        md = modes[m]
        nq = med("1x|rapport|" md "_queries")
        row(md " (" nq " queries): p50 ms", md "_p50", "ms")
        row(md ": p95 ms", md "_p95", "ms")
        row(md ": p99 ms", md "_p99", "ms")
        row(md ": queries/s, one thread", md "_qps", "n")
        row(md ": hits returned, all passes", md "_hits", "n")
    }
    row("queries: peak RSS MB", "query_rss_mb", "n")

    printf "\n## Goals (issue 6), from the medians above\n\n"
    print "| goal | measured | ratio | |"
    print "|---|---|---|---|"
    r = med("1x|rapport|build_docs_s"); f = med("1x|fts5|build_docs_s")
    goal("build at least 2x FTS5", commas(r) " against " commas(f) \
         " documents/s", ratio(r, f) "x", f > 0 && r >= 2 * f)
    r = med("1x|rapport|build_pp"); f = med("1x|fts5|build_nostore")
    goal("postings+positions no larger than FTS5 without stored text",
         fmt(r, "mb") " MB against " fmt(f, "mb") " MB", ratio(r, f) "x",
         f > 0 && r <= f)
    for (m = 1; m <= 3; m++) {
        md = modes[m]
        split("p50 p99", qs, " ")
        for (q = 1; q <= 2; q++) {
            r = med("1x|rapport|" md "_" qs[q])
            x = med("1x|xapian|" md "_" qs[q])
            goal(md " " qs[q] " at most 0.5x Xapian",
                 fmt(r, "ms") " ms against " fmt(x, "ms") " ms",
                 ratio(r, x) "x", x > 0 && r <= 0.5 * x)
        }
    }
    s = med("http_search_rps"); c = med("api_ceiling")
    goal("server /v1/search req/s at least 90% of the in-process ceiling",
         commas(s) " against " commas(c) " req/s", ratio(s, c) "x",
         c > 0 && s >= 0.9 * c)
    h = med("http_healthz_rps"); g = med("http_static_rps")
    goal("/healthz at least 70% of nginx static", commas(h) " against " \
         commas(g) " req/s", ratio(h, g) "x", g > 0 && h >= 0.7 * g)

    printf "\n## HTTP: wrk -t2 -c%s, %s s a run, %d runs; wrk shares the " \
           "%s cores\n\n", conns, wsecs, stats("http_search_rps"), cores
    print "| what | req/s | p50 ms | p99 ms | non-2xx | server cores busy | server CPU ms a request |"
    print "|---|---|---|---|---|---|---|"
    printf "| in process: /v1/search handler, one thread | %s | %s | %s | 0 | 1 | %s |\n",
           cell("api_qps", "n"), cell("api_p50", "ms"), cell("api_p99", "ms"),
           fmt(med("api_mean"), "ms")
    printf "| in-process ceiling: %s cores / mean %s ms | %s | | | | | |\n",
           cores, fmt(med("api_mean"), "ms"), cell("api_ceiling", "n")
    split("search healthz static", ts, " ")
    split("rapport-server /v1/search (bench queries, limit 10)|" \
          "rapport-server /healthz|nginx static 2 KB JSON", tl, "|")
    for (t = 1; t <= 3; t++)
        printf "| %s | %s | %s | %s | %s | %s | %s |\n", tl[t],
               cell("http_" ts[t] "_rps", "n"), cell("http_" ts[t] "_p50", "ms"),
               cell("http_" ts[t] "_p99", "ms"), cell("http_" ts[t] "_bad", "n"),
               cell("http_" ts[t] "_cores", "f2"),
               cell("http_" ts[t] "_cpu_ms", "ms")
    printf "\n/v1/search against the ceiling: %s; /healthz against nginx: " \
           "%s.\n", ratio(med("http_search_rps"), med("api_ceiling")),
           ratio(med("http_healthz_rps"), med("http_static_rps"))

    printf "\n## Growth: the same figures at 25%%, 50%%, 100%% and 4x of " \
           "the corpus\n\n"
    printf "25%%, 50%% and 4x: one run each; 100%%: the medians above. " \
           "Latencies p50 / p99 in ms.\n\n"
    print "| size | engine | documents | build s | documents/s | MB total | MB without stored text | OR p50 / p99 | AND p50 / p99 | phrase p50 / p99 | build RSS MB |"
    print "|---|---|---|---|---|---|---|---|---|---|---|"
    split("25% 50% 1x 4x", gs, " ")
    split("rapport fts5 xapian", es, " ")
    for (e = 1; e <= 3; e++)
        for (g = 1; g <= 4; g++) {
            k = gs[g] "|" es[e] "|"
            if (n[k "build_docs"] == 0) {
                if ((gs[g] "|" es[e]) in skipped)
                    printf "| %s | %s | not run: time budget spent | | | | | | | | |\n",
                           gs[g], es[e]
                else if (gs[g] == "4x")
                    printf "| 4x | %s | not run (RP_BENCH_ENGINES_4X) | | | | | | | | |\n",
                           es[e]
                continue
            }
            printf "| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s |\n",
                   gs[g] == "1x" ? "100%" : gs[g], es[e],
                   fmt(med(k "build_docs"), "n"), fmt(med(k "build_secs"), "s"),
                   fmt(med(k "build_docs_s"), "n"), fmt(med(k "build_bytes"), "mb"),
                   fmt(med(k "build_nostore"), "mb"),
                   fmt(med(k "or_p50"), "ms"), fmt(med(k "or_p99"), "ms"),
                   fmt(med(k "and_p50"), "ms"), fmt(med(k "and_p99"), "ms"),
                   fmt(med(k "phrase_p50"), "ms"), fmt(med(k "phrase_p99"), "ms"),
                   fmt(med(k "build_rss_mb"), "n")
        }
}

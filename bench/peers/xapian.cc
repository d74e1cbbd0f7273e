// SPDX-License-Identifier: MIT
//
// xapian: the Xapian 1.4 peer of the benchmark, built only by `make bench`.
//   xapian build DOCS.jsonl.gz DBDIR
//   xapian query DBDIR QUERIES.txt or|and|phrase PASSES
// build indexes title (wdf weight 2, rapport's title weight) and text
// (weight 1) into one term space with the English Snowball stemmer, every
// term stemmed (STEM_ALL) and with positions, stores the JSON line as the
// document data and the id as a unique "Q" term, and commits once at the
// end (Xapian still flushes every XAPIAN_FLUSH_THRESHOLD documents, 10,000
// by default). query builds each query line (the rule in bench/harness.h)
// with Xapian::Query operators over stemmed terms and takes the top 10 by
// BM25Weight. Both print one result line (bench/harness.h).
#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../harness.h"

namespace {

int build(const char *docs_path, const char *dir)
{
    double t0 = bh_now();
    uint64_t ndocs = 0;
    try {
        Xapian::WritableDatabase db(dir, Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemmer(Xapian::Stem("english"));
        tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
        bh_corpus *c = bh_corpus_open(docs_path);
        if (c == nullptr)
            return 1;
        bh_doc d;
        int rc;
        while ((rc = bh_corpus_next(c, &d)) == 1) {
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(std::string(d.title, d.title_len), 2);
            tg.increase_termpos();
            tg.index_text(std::string(d.text, d.text_len), 1);
            doc.set_data(std::string(d.line, d.line_len));
            doc.add_boolean_term(std::string("Q") + d.id);
            db.add_document(doc);
            ndocs++;
        }
        bh_corpus_close(c);
        if (rc != 0)
            return 1;
        db.commit();
        db.close();
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian: %s\n", e.get_description().c_str());
        return 1;
    }
    double secs = bh_now() - t0;

    // Sizes, after the timing: the glass backend keeps one file per table;
    // docdata holds the stored text.
    std::string base(dir);
    const char *tables[] = {"postlist", "position", "termlist", "docdata"};
    bh_part parts[4];
    for (size_t i = 0; i < 4; i++)
        parts[i] = {tables[i],
                    bh_disk_bytes((base + "/" + tables[i] + ".glass").c_str())};
    uint64_t bytes = bh_disk_bytes(dir);
    bh_print_build("xapian", ndocs, secs, bh_gz_size(docs_path), bytes,
                   bytes - parts[3].bytes, "dir-minus-docdata", parts, 4);
    return 0;
}

// The query for q: stemmed terms under OP_OR, OP_AND or OP_PHRASE (the
// phrase's window is its length: adjacent, in order).
Xapian::Query make_query(const Xapian::Stem &stem, const bh_query &q,
                         bh_mode m)
{
    std::vector<Xapian::Query> terms;
    for (size_t i = 0; i < q.nwords; i++)
        terms.emplace_back(stem(q.words[i]));
    Xapian::Query::op op = m == BH_OR    ? Xapian::Query::OP_OR
                           : m == BH_AND ? Xapian::Query::OP_AND
                                         : Xapian::Query::OP_PHRASE;
    return Xapian::Query(op, terms.begin(), terms.end(),
                         m == BH_PHRASE ? terms.size() : 0);
}

int query(const char *dir, const char *qpath, const char *mode, int passes)
{
    bh_mode m;
    bh_query *qs;
    if (bh_mode_parse(mode, &m) != 0 || passes < 1) {
        std::fprintf(stderr,
                     "xapian: mode is or, and or phrase; passes >= 1\n");
        return 2;
    }
    long n = bh_queries_load(qpath, m, &qs);
    if (n <= 0)
        return 1;
    std::vector<double> lat((size_t)n * passes);
    uint64_t hits = 0;
    double secs = 0;
    try {
        Xapian::Database db(dir);
        Xapian::Enquire enq(db);
        enq.set_weighting_scheme(Xapian::BM25Weight());
        Xapian::Stem stem("english");
        // One untimed warm-up pass, as for every engine.
        for (long i = 0; i < n; i++) {
            enq.set_query(make_query(stem, qs[i], m));
            hits += enq.get_mset(0, 10).size();
        }
        hits = 0;
        double t0 = bh_now();
        for (int p = 0; p < passes; p++)
            for (long i = 0; i < n; i++) {
                double t = bh_now();
                enq.set_query(make_query(stem, qs[i], m));
                hits += enq.get_mset(0, 10).size();
                lat[(size_t)p * n + i] = (bh_now() - t) * 1e3;
            }
        secs = bh_now() - t0;
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian: %s\n", e.get_description().c_str());
        bh_queries_free(qs, n);
        return 1;
    }
    bh_print_query("xapian", m, lat.data(), lat.size(), (size_t)n, passes,
                   secs, hits);
    bh_queries_free(qs, n);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc == 4 && std::strcmp(argv[1], "build") == 0)
        return build(argv[2], argv[3]);
    if (argc == 6 && std::strcmp(argv[1], "query") == 0)
        return query(argv[2], argv[3], argv[4], std::atoi(argv[5]));
    std::fprintf(stderr, "usage: xapian build DOCS.jsonl.gz DBDIR\n"
                         "       xapian query DBDIR QUERIES.txt "
                         "or|and|phrase PASSES\n");
    return 2;
}

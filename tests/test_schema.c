/* SPDX-License-Identifier: MIT */
/*
 * Tests for schema: document types, field names and aliases, the weight
 * order the issue asks for, and which source fields each type accepts.
 */
#include "rapport/schema.h"
#include "t.h"

#define F(name) rp_schema_field(name, strlen(name))

static void test_types(void)
{
    ASSERT_EQ(rp_schema_doctype("article", 7), RP_DOC_ARTICLE);
    ASSERT_EQ(rp_schema_doctype("question", 8), RP_DOC_QUESTION);
    ASSERT_EQ(rp_schema_doctype("specialist", 10), RP_DOC_SPECIALIST);
    ASSERT_EQ(rp_schema_doctype("Article", 7), RP_DOC_NONE);
    ASSERT_EQ(rp_schema_doctype("articles", 8), RP_DOC_NONE);
    ASSERT_EQ(rp_schema_doctype("none", 4), RP_DOC_NONE);
    ASSERT_STR_EQ(rp_schema_doctype_name(RP_DOC_SPECIALIST), "specialist");
    ASSERT_STR_EQ(rp_schema_doctype_name((rp_doctype)9), "none");
}

static void test_fields_and_aliases(void)
{
    ASSERT_EQ(F("title"), RP_F_TITLE);
    ASSERT_EQ(F("name"), RP_F_TITLE);
    ASSERT_EQ(F("headline"), RP_F_SUMMARY);
    ASSERT_EQ(F("concerns"), RP_F_TAGS);
    ASSERT_EQ(F("bio"), RP_F_BODY);
    ASSERT_EQ(F("city"), RP_F_PLACE);
    ASSERT_EQ(F("country"), RP_F_PLACE);
    ASSERT_EQ(F("url"), RP_FIELD_ANY);
    ASSERT_EQ(F("tit"), RP_FIELD_ANY);
    ASSERT_EQ(F(""), RP_FIELD_ANY);
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT_EQ(F(rp_schema_field_name(f)), f);
    ASSERT_STR_EQ(rp_schema_field_name(RP_NFIELDS), "?");
}

static void test_weight_order(void)
{
    /* Title and name above headline; summary and tags above body/bio. */
    ASSERT(rp_schema_weight(RP_F_TITLE) > rp_schema_weight(RP_F_SUMMARY));
    ASSERT(rp_schema_weight(RP_F_SUMMARY) > rp_schema_weight(RP_F_BODY));
    ASSERT(rp_schema_weight(RP_F_TAGS) > rp_schema_weight(RP_F_BODY));
    for (int f = 0; f < RP_NFIELDS; f++)
        ASSERT(rp_schema_weight(f) > 0);
    ASSERT_EQ(rp_schema_weight(-1), 0);
}

static void test_source_fields(void)
{
    const rp_srcfield *s = rp_schema_srcfield(RP_DOC_SPECIALIST, "bio", 3);
    ASSERT(s != NULL && s->field == RP_F_BODY && s->kind == RP_SRC_TEXT);
    ASSERT(rp_schema_srcfield(RP_DOC_ARTICLE, "bio", 3) == NULL);
    s = rp_schema_srcfield(RP_DOC_SPECIALIST, "free_consultation", 17);
    ASSERT(s != NULL && s->kind == RP_SRC_BOOL && s->field == RP_FIELD_ANY);
    s = rp_schema_srcfield(RP_DOC_QUESTION, "tags", 4);
    ASSERT(s != NULL && s->kind == RP_SRC_TEXT_ARRAY);
    ASSERT(rp_schema_srcfield(RP_DOC_QUESTION, "summary", 7) == NULL);
    s = rp_schema_srcfield(RP_DOC_ARTICLE, "text", 4); /* BEIR */
    ASSERT(s != NULL && s->field == RP_F_BODY);
    /* Every source field feeds a real field or none, and every type has a
     * title-like field. */
    size_t n;
    const rp_srcfield *all = rp_schema_srcfields(&n);
    ASSERT(n > 20);
    unsigned titled = 0;
    for (size_t i = 0; i < n; i++) {
        ASSERT(all[i].field == RP_FIELD_ANY ||
               (all[i].field >= 0 && all[i].field < RP_NFIELDS));
        if (all[i].field == RP_F_TITLE)
            titled |= all[i].types;
    }
    ASSERT_EQ(titled, (1u << RP_DOC_ARTICLE) | (1u << RP_DOC_QUESTION) |
                          (1u << RP_DOC_SPECIALIST));
}

static const t_case cases[] = {
    T(test_types),
    T(test_fields_and_aliases),
    T(test_weight_order),
    T(test_source_fields),
    {NULL, NULL},
};

T_MAIN(cases)

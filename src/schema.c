/* SPDX-License-Identifier: MIT */
/*
 * schema: constant tables for document types, indexed fields, their default
 * BM25F weights and the source fields of each type. Lookups are linear
 * scans over a few dozen entries; nothing allocates.
 */
#include "rapport/schema.h"

#include <string.h>

#define T_ART (1u << RP_DOC_ARTICLE)
#define T_QST (1u << RP_DOC_QUESTION)
#define T_SPC (1u << RP_DOC_SPECIALIST)

static const char *const doctype_names[RP_DOC_TYPES] = {
    "none", "article", "question", "specialist"};

/* Indexed fields with default weights. The weights were chosen by
 * measurement with `make eval` (see docs/relevance.md). */
static const struct {
    const char *name;
    float weight;
} fields[RP_NFIELDS] = {
    [RP_F_TITLE] = {"title", 2.0f},      [RP_F_SUMMARY] = {"summary", 1.5f},
    [RP_F_TAGS] = {"tags", 1.5f},        [RP_F_APPROACHES] = {"approaches", 1.2f},
    [RP_F_BODY] = {"body", 1.0f},        [RP_F_AUTHOR] = {"author", 1.0f},
    [RP_F_LANGUAGES] = {"languages", 1.0f}, [RP_F_PLACE] = {"place", 1.0f},
};

/* Query-side aliases of indexed field names. */
static const struct {
    const char *name;
    int field;
} aliases[] = {
    {"name", RP_F_TITLE},        {"headline", RP_F_SUMMARY},
    {"tag", RP_F_TAGS},          {"concerns", RP_F_TAGS},
    {"concern", RP_F_TAGS},      {"approach", RP_F_APPROACHES},
    {"bio", RP_F_BODY},          {"text", RP_F_BODY},
    {"language", RP_F_LANGUAGES}, {"city", RP_F_PLACE},
    {"country", RP_F_PLACE},
};

static const rp_srcfield srcfields[] = {
    {"title", T_ART | T_QST, RP_SRC_TEXT, RP_F_TITLE},
    {"summary", T_ART, RP_SRC_TEXT, RP_F_SUMMARY},
    {"body", T_ART | T_QST, RP_SRC_TEXT, RP_F_BODY},
    {"text", T_ART, RP_SRC_TEXT, RP_F_BODY},
    {"tags", T_ART | T_QST, RP_SRC_TEXT_ARRAY, RP_F_TAGS},
    {"author", T_ART, RP_SRC_TEXT, RP_F_AUTHOR},
    {"published", T_ART, RP_SRC_DATE, RP_FIELD_ANY},
    {"url", T_ART | T_SPC, RP_SRC_STRING, RP_FIELD_ANY},
    {"lang", T_ART, RP_SRC_STRING, RP_FIELD_ANY},
    {"name", T_SPC, RP_SRC_TEXT, RP_F_TITLE},
    {"headline", T_SPC, RP_SRC_TEXT, RP_F_SUMMARY},
    {"bio", T_SPC, RP_SRC_TEXT, RP_F_BODY},
    {"concerns", T_SPC, RP_SRC_TEXT_ARRAY, RP_F_TAGS},
    {"approaches", T_SPC, RP_SRC_TEXT_ARRAY, RP_F_APPROACHES},
    {"languages", T_SPC, RP_SRC_TEXT_ARRAY, RP_F_LANGUAGES},
    {"city", T_SPC, RP_SRC_TEXT, RP_F_PLACE},
    {"country", T_SPC, RP_SRC_TEXT, RP_F_PLACE},
    {"online", T_SPC, RP_SRC_BOOL, RP_FIELD_ANY},
    {"in_person", T_SPC, RP_SRC_BOOL, RP_FIELD_ANY},
    {"free_consultation", T_SPC, RP_SRC_BOOL, RP_FIELD_ANY},
    {"accepting_clients", T_SPC, RP_SRC_BOOL, RP_FIELD_ANY},
    {"fee_min", T_SPC, RP_SRC_NUMBER, RP_FIELD_ANY},
    {"fee_max", T_SPC, RP_SRC_NUMBER, RP_FIELD_ANY},
    {"currency", T_SPC, RP_SRC_STRING, RP_FIELD_ANY},
};

static int name_eq(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

rp_doctype rp_schema_doctype(const char *name, size_t len)
{
    for (int t = RP_DOC_ARTICLE; t < RP_DOC_TYPES; t++)
        if (name_eq(name, len, doctype_names[t]))
            return (rp_doctype)t;
    return RP_DOC_NONE;
}

const char *rp_schema_doctype_name(rp_doctype t)
{
    return (unsigned)t < RP_DOC_TYPES ? doctype_names[t] : "none";
}

int rp_schema_field(const char *name, size_t len)
{
    for (int f = 0; f < RP_NFIELDS; f++)
        if (name_eq(name, len, fields[f].name))
            return f;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (name_eq(name, len, aliases[i].name))
            return aliases[i].field;
    return RP_FIELD_ANY;
}

const char *rp_schema_field_name(int field)
{
    return field >= 0 && field < RP_NFIELDS ? fields[field].name : "?";
}

float rp_schema_weight(int field)
{
    return field >= 0 && field < RP_NFIELDS ? fields[field].weight : 0.0f;
}

const rp_srcfield *rp_schema_srcfield(rp_doctype t, const char *name,
                                      size_t len)
{
    for (size_t i = 0; i < sizeof srcfields / sizeof srcfields[0]; i++)
        if ((srcfields[i].types & (1u << t)) &&
            name_eq(name, len, srcfields[i].name))
            return &srcfields[i];
    return NULL;
}

int rp_schema_date_valid(const char *s, size_t len)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
               (s[2] - '0') * 10 + (s[3] - '0');
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    if (month < 1 || month > 12 || day < 1)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days[month - 1] + (month == 2 && leap);
}

const rp_srcfield *rp_schema_srcfields(size_t *n)
{
    *n = sizeof srcfields / sizeof srcfields[0];
    return srcfields;
}

static const char *const facet_names[RP_NFACETS] = {
    [RP_FACET_TYPE] = "type",
    [RP_FACET_CONCERNS] = "concerns",
    [RP_FACET_APPROACHES] = "approaches",
    [RP_FACET_LANGUAGES] = "languages",
    [RP_FACET_CITY] = "city",
    [RP_FACET_COUNTRY] = "country",
    [RP_FACET_ONLINE] = "online",
    [RP_FACET_IN_PERSON] = "in_person",
    [RP_FACET_FREE_CONSULTATION] = "free_consultation",
    [RP_FACET_ACCEPTING_CLIENTS] = "accepting_clients",
    [RP_FACET_CONCEPTS] = "concepts",
};

int rp_schema_facet(const char *name, size_t len)
{
    for (int f = 0; f < RP_NFACETS; f++)
        if (name_eq(name, len, facet_names[f]))
            return f;
    return -1;
}

const char *rp_schema_facet_name(int facet)
{
    return facet >= 0 && facet < RP_NFACETS ? facet_names[facet] : "?";
}

int rp_schema_facet_of(const rp_srcfield *src)
{
    static const struct {
        const char *field;
        int facet;
    } map[] = {{"concerns", RP_FACET_CONCERNS}, {"tags", RP_FACET_CONCERNS},
               {"approaches", RP_FACET_APPROACHES},
               {"languages", RP_FACET_LANGUAGES}, {"city", RP_FACET_CITY},
               {"country", RP_FACET_COUNTRY}, {"online", RP_FACET_ONLINE},
               {"in_person", RP_FACET_IN_PERSON},
               {"free_consultation", RP_FACET_FREE_CONSULTATION},
               {"accepting_clients", RP_FACET_ACCEPTING_CLIENTS}};
    for (size_t i = 0; src && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(src->name, map[i].field) == 0)
            return map[i].facet;
    return -1;
}

size_t rp_schema_facet_value(const char *v, size_t len,
                             char out[RP_FACET_VALUE_MAX])
{
    size_t n = 0;
    int space = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = n > 0;
            continue;
        }
        if (space) {
            if (n == RP_FACET_VALUE_MAX)
                return 0;
            out[n++] = ' ';
            space = 0;
        }
        if (n == RP_FACET_VALUE_MAX)
            return 0;
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return n;
}

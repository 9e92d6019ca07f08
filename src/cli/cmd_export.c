/* cmd_export.c - `synkti export FILE.h5`: a results file's summary, one run's time series or its
 * metadata as CSV, TSV or JSON, on stdout or written atomically to a file.
 *
 * Values survive the trip: doubles get the fewest digits (15..17) that strtod reads back to the
 * same bits, integers are printed in full, and JSON writes integers beyond +-2^53 as strings
 * because most JSON readers hold numbers in doubles. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/sk_cli.h"
#include "io/sk_csv.h"
#include "cli/sk_opts.h"
#include "io/sk_atomic.h"
#include "io/sk_results.h"

#define SK_EXPORT_EXACT (INT64_C(1) << 53) /* integers up to this magnitude are exact in a double */
#define SK_EXPORT_BLOCK 65536             /* /summary rows read at a time */

typedef enum { SK_EXPORT_CSV, SK_EXPORT_TSV, SK_EXPORT_JSON } sk_export_fmt;

typedef struct {
    const char *format, *run, *output;
    int meta;
} sk_export_opts;

static const sk_opt sk_export_optab[] = {
    {"format", 'f', SK_OPT_STR, offsetof(sk_export_opts, format), "FMT", "csv, tsv or json", 0, 0},
    {"run", 'r', SK_OPT_STR, offsetof(sk_export_opts, run), "ID", "export the time series /runs/ID instead of /summary", 0, 0},
    {"output", 'o', SK_OPT_STR, offsetof(sk_export_opts, output), "OUT", "write to OUT (atomically) instead of stdout; - is stdout", 0, 0},
    {"meta", 0, SK_OPT_FLAG, offsetof(sk_export_opts, meta), NULL, "print the root metadata instead of a table", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_export_usage[] =
    "usage: synkti export FILE.h5 [--format csv|tsv|json] [--run ID] [-o OUT] [--meta]\n"
    "\n"
    "Print the /summary table of a results file (one row per run) as CSV: a header line with the\n"
    "column names in stored order, then one line per row. --run ID prints the time series\n"
    "/runs/ID instead. --meta prints the root metadata (schema_version, tool_version, git_sha,\n"
    "command_line, config_sha256, master_seed, then config_yaml as an indented block) as\n"
    "'key: value' lines, or as one JSON object with --format json. With -o OUT the output goes to a\n"
    "temporary file next to OUT that is fsync'd and renamed over OUT, so OUT is never half-written.\n"
    "The summary is read 65536 rows at a time, so a file of any size exports in bounded memory; a\n"
    "file damaged part-way stops the export there (exit 65; OUT is not replaced, stdout has the\n"
    "rows before the damage).\n"
    "\n"
    "Formats:\n"
    "  csv   RFC 4180: a field holding a comma, double quote, CR or LF is quoted, its quotes\n"
    "        doubled; lines end in LF.\n"
    "  tsv   tab-separated; tab, LF, CR and backslash in strings are written \\t \\n \\r \\\\.\n"
    "  json  an array of row objects, one per line: [{\"run\":0,\"cost\":0.1,...},...]. NaN and\n"
    "        infinities are null; doubles always carry a '.' or an exponent (3.0, -0.0). Integers\n"
    "        beyond +-2^53 (9007199254740992), which readers that hold numbers in doubles would\n"
    "        round, are written as strings: \"1152921504606846976\".\n"
    "Doubles are printed with the fewest digits (15 to 17) that read back to the same bits; in CSV\n"
    "and TSV, NaN is nan and infinities are inf and -inf. Integers are printed in full.\n"
    "\n"
    "Exit codes: 0 ok; 64 bad command line; 65 FILE is not a Synkti results file or is damaged (a\n"
    "checksum does not match); 66 FILE is missing; 1 no run ID in FILE; 73/74 OUT can't be written.\n"
    "\n"
    "Examples:\n"
    "  synkti export results.h5 > summary.csv\n"
    "  synkti export results.h5 --run 7 --format tsv -o run7.tsv\n"
    "  gnuplot -p -e \"set datafile separator tab; set key autotitle columnhead; plot 'run7.tsv' u 1:2 w l\"\n"
    "  python3 -c \"import pandas as pd; print(pd.read_csv('summary.csv', float_precision='round_trip'))\"\n"
    "  synkti export results.h5 --format json -o summary.json\n"
    "  python3 -c \"import pandas as pd; print(pd.read_json('summary.json', precise_float=True))\"\n"
    "  synkti export results.h5 --meta | grep config_sha256\n"
    "(pandas needs float_precision / precise_float to read doubles back exactly.)\n";

/* ---- values ----------------------------------------------------------------------------------- */

/* d with the fewest of 15, 16, 17 significant digits that strtod reads back to the same bits;
 * "nan", "inf", "-inf" for the non-finite. buf holds at least 32 bytes. */
static void sk_export_dbl(char *buf, size_t len, double d) {
    if (isnan(d)) {
        snprintf(buf, len, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, len, d > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, d);
        double back = strtod(buf, NULL);
        if (!memcmp(&back, &d, sizeof d)) return; /* %.17g always gets here */
    }
}

/* Value (row r of column c) as text, for the numeric types. */
static void sk_export_num(char *buf, size_t len, const sk_table_col *c, size_t r) {
    switch (c->type) {
    case SK_TABLE_I64: snprintf(buf, len, "%lld", (long long)c->v.i64[r]); break;
    case SK_TABLE_U64: snprintf(buf, len, "%llu", (unsigned long long)c->v.u64[r]); break;
    case SK_TABLE_F64: sk_export_dbl(buf, len, c->v.f64[r]); break;
    default: buf[0] = '\0';
    }
}

/* ---- CSV and TSV ------------------------------------------------------------------------------ */

static void sk_export_tsv_str(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '\t': fputs("\\t", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\\': fputs("\\\\", f); break;
        default: putc(*s, f);
        }
    }
}

/* The header line: column names in stored order. */
static void sk_export_text_head(FILE *f, const sk_table *t, sk_export_fmt fmt) {
    const char sep = fmt == SK_EXPORT_CSV ? ',' : '\t';
    void (*str)(FILE *, const char *) = fmt == SK_EXPORT_CSV ? sk_csv_put_str : sk_export_tsv_str;
    for (size_t i = 0; i < t->ncols; i++) {
        if (i) putc(sep, f);
        str(f, t->cols[i].name);
    }
    putc('\n', f);
}

/* The first nrows rows of t, one line each. */
static void sk_export_text_rows(FILE *f, const sk_table *t, size_t nrows, sk_export_fmt fmt) {
    const char sep = fmt == SK_EXPORT_CSV ? ',' : '\t';
    void (*str)(FILE *, const char *) = fmt == SK_EXPORT_CSV ? sk_csv_put_str : sk_export_tsv_str;
    char buf[40];
    for (size_t r = 0; r < nrows && !ferror(f); r++) {
        for (size_t i = 0; i < t->ncols; i++) {
            const sk_table_col *c = &t->cols[i];
            if (i) putc(sep, f);
            if (c->type == SK_TABLE_STR) {
                str(f, c->v.str[r]);
            } else {
                sk_export_num(buf, sizeof buf, c, r);
                fputs(buf, f);
            }
        }
        putc('\n', f);
    }
}

/* ---- JSON ------------------------------------------------------------------------------------- */

/* An integer as a JSON number when a double holds it exactly, else as a string. NULL on ENOMEM. */
static cJSON *sk_export_json_int(const char *text, int exact) {
    return exact ? cJSON_CreateRaw(text) : cJSON_CreateString(text);
}

/* Row r of column c as a JSON value. NULL on ENOMEM. Numbers go in as raw text: cJSON's own
 * printer would round integers through a double and may print doubles with too few digits. */
static cJSON *sk_export_json_val(const sk_table_col *c, size_t r) {
    char buf[48];
    switch (c->type) {
    case SK_TABLE_I64: {
        int64_t v = c->v.i64[r];
        sk_export_num(buf, sizeof buf, c, r);
        return sk_export_json_int(buf, v <= SK_EXPORT_EXACT && v >= -SK_EXPORT_EXACT);
    }
    case SK_TABLE_U64:
        sk_export_num(buf, sizeof buf, c, r);
        return sk_export_json_int(buf, c->v.u64[r] <= (uint64_t)SK_EXPORT_EXACT);
    case SK_TABLE_F64:
        if (!isfinite(c->v.f64[r])) return cJSON_CreateNull();
        sk_export_dbl(buf, sizeof buf, c->v.f64[r]);
        if (!buf[strcspn(buf, ".e")]) strcat(buf, ".0"); /* stays a float: 3.0, and -0.0 keeps its sign */
        return cJSON_CreateRaw(buf);
    default:
        return cJSON_CreateString(c->v.str[r]);
    }
}

/* Add value v (NULL: creation failed) to object o under key; v is freed if it can't be added.
 * 0 or SK_ENOMEM. */
static int sk_export_json_add(cJSON *o, const char *key, cJSON *v) {
    if (!v) return SK_ENOMEM;
    if (!cJSON_AddItemToObject(o, key, v)) {
        cJSON_Delete(v);
        return SK_ENOMEM;
    }
    return 0;
}

/* Print object o unformatted and free it. 0 or SK_ENOMEM. */
static int sk_export_json_put(FILE *f, cJSON *o) {
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!txt) return SK_ENOMEM;
    fputs(txt, f);
    cJSON_free(txt);
    return 0;
}

/* The rows of t as "{row}" objects, one per line: "[\n{row},\n{row}\n]\n" over all blocks, so
 * that diffs and `head` stay readable. `done`: rows printed before (by earlier blocks). 0 or
 * SK_ENOMEM. */
static int sk_export_json_rows(FILE *f, const sk_table *t, size_t nrows, size_t done) {
    for (size_t r = 0; r < nrows && !ferror(f); r++) {
        cJSON *row = cJSON_CreateObject();
        if (!row) return SK_ENOMEM;
        for (size_t i = 0; i < t->ncols; i++) {
            if (sk_export_json_add(row, t->cols[i].name, sk_export_json_val(&t->cols[i], r)) < 0) {
                cJSON_Delete(row);
                return SK_ENOMEM;
            }
        }
        fputs(done + r ? ",\n" : "\n", f);
        if (sk_export_json_put(f, row) < 0) return SK_ENOMEM;
    }
    return 0;
}

/* A table as a JSON array (see sk_export_json_rows), or ENOMEM. */
static int sk_export_json(FILE *f, const sk_table *t, size_t nrows) {
    fputc('[', f);
    if (sk_export_json_rows(f, t, nrows, 0) < 0) return SK_ENOMEM;
    fputs(nrows ? "\n]\n" : "]\n", f);
    return 0;
}

/* ---- the summary, in blocks ------------------------------------------------------------------- */

/* /summary of the open reader, read SK_EXPORT_BLOCK rows at a time so that memory stays bounded
 * whatever the row count; the output is the same bytes as for the whole table. 0, or the reader's
 * error (SK_EDATA: damaged part-way) / SK_ENOMEM with err set. */
static int sk_export_summary(FILE *f, sk_results_reader *r, const char *file, sk_export_fmt fmt,
                             char *err, size_t errlen) {
    const int64_t n = sk_results_reader_rows(r);
    int64_t first = 0;
    int rc = 0;
    if (fmt == SK_EXPORT_JSON) fputc('[', f);
    do {
        sk_table t;
        if ((rc = sk_results_reader_read(r, first, SK_EXPORT_BLOCK, &t, err, errlen)) < 0) break;
        size_t k = t.ncols ? t.cols[0].n : 0;
        if (fmt == SK_EXPORT_JSON) {
            if ((rc = sk_export_json_rows(f, &t, k, (size_t)first)) < 0)
                snprintf(err, errlen, "%s: out of memory", file);
        } else {
            if (!first) sk_export_text_head(f, &t, fmt);
            sk_export_text_rows(f, &t, k, fmt);
        }
        sk_table_fini(&t);
        if (!k) break;
        first += (int64_t)k;
    } while (!rc && first < n && !ferror(f));
    if (!rc && fmt == SK_EXPORT_JSON) fputs(n ? "\n]\n" : "]\n", f);
    return rc;
}

/* ---- metadata --------------------------------------------------------------------------------- */

/* "key: value"; a value with line breaks as a YAML-style literal block, indented by two. */
static void sk_export_meta_line(FILE *f, const char *key, const char *val) {
    if (!strchr(val, '\n')) {
        fprintf(f, "%s: %s\n", key, val);
        return;
    }
    size_t len = strlen(val);
    fprintf(f, "%s: |%s\n", key, val[len - 1] == '\n' ? "" : "-");
    for (const char *p = val; *p;) {
        size_t n = strcspn(p, "\n");
        fprintf(f, "  %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

static int sk_export_meta(FILE *f, const sk_results_meta *m, sk_export_fmt fmt) {
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->master_seed);
    const char *keys[] = {"tool_version", "git_sha", "command_line", "config_sha256"};
    const char *vals[] = {m->tool_version, m->git_sha, m->command_line, m->config_sha256};
    if (fmt != SK_EXPORT_JSON) {
        fprintf(f, "schema_version: %d\n", m->schema_version);
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) sk_export_meta_line(f, keys[i], vals[i]);
        fprintf(f, "master_seed: %s\n", seed);
        sk_export_meta_line(f, "config_yaml", m->config_yaml);
        return 0;
    }
    cJSON *o = cJSON_CreateObject();
    if (!o) return SK_ENOMEM;
    int rc = sk_export_json_add(o, "schema_version", cJSON_CreateNumber(m->schema_version));
    for (size_t i = 0; i < sizeof keys / sizeof *keys && !rc; i++)
        rc = sk_export_json_add(o, keys[i], cJSON_CreateString(vals[i]));
    if (!rc) rc = sk_export_json_add(o, "master_seed", sk_export_json_int(seed, m->master_seed <= (uint64_t)SK_EXPORT_EXACT));
    if (!rc) rc = sk_export_json_add(o, "config_yaml", cJSON_CreateString(m->config_yaml));
    if (rc < 0) {
        cJSON_Delete(o);
        return rc;
    }
    if ((rc = sk_export_json_put(f, o)) < 0) return rc;
    fputc('\n', f);
    return 0;
}

/* ---- atomic output ---------------------------------------------------------------------------- */

/* Where the output goes: stdout, a device or FIFO written in place, or a file written atomically
 * (io/sk_atomic.h). */
typedef struct {
    FILE *f;
    const char *path; /* NULL for stdout */
    int direct;       /* path is a device or FIFO (/dev/stdout, a pipe): written in place */
    sk_atomic a;      /* otherwise: the temporary file renamed over path on commit */
} sk_export_out;

/* Open the output: stdout when path is NULL or "-", else a new temporary file beside path. 0 or
 * SK_ECANTCREAT / SK_ENOMEM after a message on stderr. */
static int sk_export_open(sk_export_out *o, const char *path) {
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->f = stdout;
        return 0;
    }
    o->path = path;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "synkti export: %s: is a folder; name a file\n", path);
        return SK_ECANTCREAT;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* /dev/stdout, a FIFO, a terminal: renaming over it would replace the node itself */
        if (!(o->f = fopen(path, "w"))) {
            fprintf(stderr, "synkti export: %s: cannot open: %s\n", path, strerror(errno));
            return SK_ECANTCREAT;
        }
        o->direct = 1;
        return 0;
    }
    char err[1024];
    int rc = sk_atomic_open(&o->a, path, "w", err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "synkti export: %s\n", err);
        return rc;
    }
    o->f = o->a.f;
    return 0;
}

/* Drop the output: close and remove the temporary file. Nothing is renamed. */
static void sk_export_abort(sk_export_out *o) {
    if (o->direct) fclose(o->f);
    else sk_atomic_abort(&o->a);
    memset(o, 0, sizeof *o);
}

/* Finish the output: flush stdout or the device, or commit the temporary file. 0, or SK_EIO /
 * SK_ECANTCREAT after a message (the temporary file is removed and path untouched). */
static int sk_export_commit(sk_export_out *o) {
    int rc = 0;
    if (!o->path) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "synkti export: cannot write to stdout: %s\n", strerror(errno));
            rc = SK_EIO;
        }
    } else if (o->direct) {
        int bad = fflush(o->f) != 0 || ferror(o->f);
        if (fclose(o->f) != 0) bad = 1;
        if (bad) fprintf(stderr, "synkti export: cannot write to %s: %s\n", o->path, strerror(errno));
        rc = bad ? SK_EIO : 0;
    } else {
        char err[1024];
        if ((rc = sk_atomic_commit(&o->a, err, sizeof err)) < 0) fprintf(stderr, "synkti export: %s\n", err);
    }
    memset(o, 0, sizeof *o);
    return rc;
}

/* ---- command ---------------------------------------------------------------------------------- */

/* SK_EUSAGE after a message if out names the same file as in (an export must not replace its
 * input); 0 otherwise, including when out does not exist yet. */
static int sk_export_check_not_input(const char *in, const char *out) {
    struct stat si, so;
    if (!out || !strcmp(out, "-") || stat(out, &so) < 0 || stat(in, &si) < 0) return 0;
    if (si.st_dev != so.st_dev || si.st_ino != so.st_ino) return 0;
    fprintf(stderr, "synkti export: -o %s is the input file; refusing to overwrite it\n", out);
    return SK_EUSAGE;
}

int sk_cmd_export(int argc, char **argv) {
    sk_export_opts o = {"csv", NULL, NULL, 0};
    int npos = 0, rc = sk_opts_parse("export", sk_export_usage, sk_export_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    sk_export_fmt fmt;
    if (!strcmp(o.format, "csv")) fmt = SK_EXPORT_CSV;
    else if (!strcmp(o.format, "tsv")) fmt = SK_EXPORT_TSV;
    else if (!strcmp(o.format, "json")) fmt = SK_EXPORT_JSON;
    else {
        fprintf(stderr, "synkti export: --format: expected csv, tsv or json, got '%s'\n", o.format);
        return sk_exit_code(SK_EUSAGE);
    }
    if (npos != 1) {
        if (npos) fprintf(stderr, "synkti export: expected one results file, got '%s' and '%s'\n", argv[0], argv[1]);
        else fprintf(stderr, "synkti export: no results file given (see 'synkti export --help')\n");
        return sk_exit_code(SK_EUSAGE);
    }
    if (o.meta && o.run) {
        fprintf(stderr, "synkti export: --meta and --run exclude each other\n");
        return sk_exit_code(SK_EUSAGE);
    }
    const char *file = argv[0];
    if ((rc = sk_export_check_not_input(file, o.output)) < 0) return sk_exit_code(rc);

    /* Read (the summary: open and check) before OUT is created, so that a bad input never creates
     * or replaces it; the summary's values are then read in blocks, and damage found part-way
     * drops OUT's temporary file (stdout has what came before). */
    char err[1024] = "";
    sk_results_meta meta;
    sk_table t;
    sk_results_reader *r = NULL;
    sk_table_init(&t);
    if (o.meta) rc = sk_results_read(file, &meta, NULL, err, sizeof err);
    else if (o.run) rc = sk_results_read_series(file, o.run, &t, err, sizeof err);
    else rc = sk_results_reader_open(&r, file, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "synkti export: %s\n", err);
        return sk_exit_code(rc);
    }
    int64_t nrows = o.run ? sk_table_nrows(&t) : 0;
    if (nrows < 0) { /* the reader checks lengths; this is a broken invariant, not bad data */
        fprintf(stderr, "synkti export: %s: columns of unequal length\n", file);
        rc = SK_EINTERNAL;
        goto fail_data;
    }

    sk_export_out out;
    if ((rc = sk_export_open(&out, o.output)) < 0) goto fail_data;
    if (o.meta) rc = sk_export_meta(out.f, &meta, fmt);
    else if (r) rc = sk_export_summary(out.f, r, file, fmt, err, sizeof err);
    else if (fmt == SK_EXPORT_JSON) rc = sk_export_json(out.f, &t, (size_t)nrows);
    else {
        sk_export_text_head(out.f, &t, fmt);
        sk_export_text_rows(out.f, &t, (size_t)nrows, fmt);
    }
    if (rc < 0) {
        if (r) fprintf(stderr, "synkti export: %s\n", err);
        else fprintf(stderr, "synkti export: %s: out of memory\n", file);
        sk_export_abort(&out);
        goto fail_data;
    }
    rc = sk_export_commit(&out);
fail_data:
    if (o.meta) sk_results_meta_fini(&meta);
    sk_results_reader_close(r);
    sk_table_fini(&t);
    return sk_exit_code(rc);
}

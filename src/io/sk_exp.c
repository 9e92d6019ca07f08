/* sk_exp.c - experiment files: libyaml pass (syntax, marks), libcyaml pass (schema), checks,
 * --set overrides, sweep axes, canonical resolved YAML and its sha256, and the run plan. */
#include "io/sk_exp.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "io/sk_sha256.h"
#include "io/sk_trace.h"
#include "sk_error.h"

#define SK_EXP_MAX_FILE (16u << 20)     /* experiment files above 16 MiB are refused */
#define SK_EXP_MAX_NODES 1000000        /* YAML nodes */
#define SK_EXP_MAX_CHECKS 100000        /* sweep points cross-checked one by one */
#define SK_EXP_MAX_PATHS (64u << 20)    /* bytes of key paths kept for positions */
#define SK_EXP_MAX_AXIS 100000          /* values of one sweep axis (the resolved text stays loadable) */

/* ---- diagnostics ----------------------------------------------------------------------------- */

typedef struct sk_diag {
    const char *file;
    char *buf;
    size_t len;
    int set; /* a message is stored */
} sk_diag;

/* Messages are one line: control characters (from quoted keys and values, which messages echo)
 * become '?'. */
static void sk__oneline(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

/* Append the formatted message after the n bytes of prefix already in d->buf; make it one line. */
static void sk__vfinish(sk_diag *d, int n, const char *fmt, va_list ap) {
    if (n >= 0 && (size_t)n < d->len) vsnprintf(d->buf + n, d->len - (size_t)n, fmt, ap);
    sk__oneline(d->buf);
}

/* Store "FILE:LINE:COL: PATH: message" (LINE 0: no position; PATH NULL: none). First one wins.
 * Returns code. */
static int sk__err(sk_diag *d, int code, int line, int col, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int sk__err(sk_diag *d, int code, int line, int col, const char *path, const char *fmt, ...) {
    if (d->set || !d->buf || !d->len) return code;
    d->set = 1;
    int n;
    if (line > 0) n = snprintf(d->buf, d->len, "%s:%d:%d: ", d->file, line, col);
    else n = snprintf(d->buf, d->len, "%s: ", d->file);
    if (n >= 0 && (size_t)n < d->len && path && *path) {
        int k = snprintf(d->buf + n, d->len - (size_t)n, "%s: ", path);
        n = k < 0 ? k : n + k;
    }
    va_list ap;
    va_start(ap, fmt);
    sk__vfinish(d, n, fmt, ap);
    va_end(ap);
    return code;
}

/* ---- pass 1: libyaml tree and a path index --------------------------------------------------- */

typedef struct sk_ynode {
    char *path;          /* "scenario.lps", "policies[0].name", "sweep.lps[2]" */
    int kline, kcol;     /* the key (or sequence entry) position, 1-based */
    int vline, vcol;     /* the value position */
    yaml_node_t *node;
} sk_ynode;

typedef struct sk_ytree {
    yaml_document_t doc;
    int loaded;
    sk_ynode *v;
    size_t n, cap;
    unsigned char *seen; /* per node: visited (aliases make a node reachable twice) */
    size_t pbytes;       /* sum of the path lengths, bounded by SK_EXP_MAX_PATHS */
} sk_ytree;

static void sk__ytree_fini(sk_ytree *t) {
    for (size_t i = 0; i < t->n; i++) free(t->v[i].path);
    free(t->v);
    free(t->seen);
    if (t->loaded) yaml_document_delete(&t->doc);
    memset(t, 0, sizeof *t);
}

static const sk_ynode *sk__ylook(const sk_ytree *t, const char *path) {
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].path, path)) return &t->v[i];
    return NULL;
}

static const char *sk__ykind(const yaml_node_t *n) {
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a sequence";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

typedef struct sk_ykey {
    const char *s;
    size_t j;
} sk_ykey;

static int sk__ykey_cmp(const void *a, const void *b) {
    const sk_ykey *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->j > y->j) - (x->j < y->j);
}

/* dup[j] = 1 when the scalar key of pair j of mapping m repeats an earlier key of m (sorting, so
 * that a mapping with many keys costs n log n). Returns 0 (*dup to free) or SK_ENOMEM. */
static int sk__ydups(yaml_document_t *doc, yaml_node_t *m, unsigned char **dup) {
    size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start), nk = 0;
    sk_ykey *keys = malloc((n ? n : 1) * sizeof *keys);
    *dup = calloc(n ? n : 1, 1);
    if (!keys || !*dup) {
        free(keys);
        free(*dup);
        *dup = NULL;
        return SK_ENOMEM;
    }
    for (size_t j = 0; j < n; j++) {
        yaml_node_t *k = yaml_document_get_node(doc, m->data.mapping.pairs.start[j].key);
        if (k && k->type == YAML_SCALAR_NODE) keys[nk++] = (sk_ykey){(const char *)k->data.scalar.value, j};
    }
    qsort(keys, nk, sizeof *keys, sk__ykey_cmp);
    for (size_t i = 1; i < nk; i++)
        if (!strcmp(keys[i].s, keys[i - 1].s)) (*dup)[keys[i].j] = 1;
    free(keys);
    return 0;
}

static int sk__ywalk(sk_ytree *t, sk_diag *d, yaml_node_t *node, const char *path, int kl, int kc) {
    int id = (int)(node - t->doc.nodes.start);
    if (t->seen[id])
        return sk__err(d, SK_ECONFIG, (int)node->start_mark.line + 1, (int)node->start_mark.column + 1, path,
                       "anchors and aliases are not supported; write the value out");
    t->seen[id] = 1;
    if (t->n == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 64;
        sk_ynode *nv = realloc(t->v, nc * sizeof *nv);
        if (!nv) return SK_ENOMEM;
        t->v = nv;
        t->cap = nc;
    }
    sk_ynode *e = &t->v[t->n];
    size_t plen = strlen(path);
    if ((t->pbytes += plen + 1) > SK_EXP_MAX_PATHS)
        return sk__err(d, SK_ECONFIG, (int)node->start_mark.line + 1, (int)node->start_mark.column + 1, NULL,
                       "too many values under long keys; not an experiment file?");
    if (!(e->path = strdup(path))) return SK_ENOMEM;
    e->kline = kl;
    e->kcol = kc;
    e->vline = (int)node->start_mark.line + 1;
    e->vcol = (int)node->start_mark.column + 1;
    e->node = node;
    t->n++;
    char *sub = malloc(plen + 64 + 1024);
    if (!sub) return SK_ENOMEM;
    int rc = 0;
    if (node->type == YAML_MAPPING_NODE) {
        unsigned char *dup = NULL;
        if ((rc = sk__ydups(&t->doc, node, &dup)) < 0) { free(sub); return rc; }
        size_t j = 0;
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++, j++) {
            yaml_node_t *k = yaml_document_get_node(&t->doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&t->doc, p->value);
            int l = (int)k->start_mark.line + 1, c = (int)k->start_mark.column + 1;
            if (k->type != YAML_SCALAR_NODE) {
                rc = sk__err(d, SK_ECONFIG, l, c, path, "keys must be plain words, got %s", sk__ykind(k));
                break;
            }
            const char *ks = (const char *)k->data.scalar.value;
            if (strlen(ks) > 1000) {
                rc = sk__err(d, SK_ECONFIG, l, c, path, "key longer than 1000 bytes");
                break;
            }
            snprintf(sub, plen + 64 + 1024, "%s%s%s", path, *path ? "." : "", ks);
            if (dup[j]) {
                rc = sk__err(d, SK_ECONFIG, l, c, sub, "key given twice");
                break;
            }
            if ((rc = sk__ywalk(t, d, v, sub, l, c)) < 0) break;
        }
        free(dup);
    } else if (node->type == YAML_SEQUENCE_NODE) {
        int k = 0;
        for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++, k++) {
            yaml_node_t *v = yaml_document_get_node(&t->doc, *it);
            snprintf(sub, plen + 64 + 1024, "%s[%d]", path, k);
            if ((rc = sk__ywalk(t, d, v, sub, (int)v->start_mark.line + 1, (int)v->start_mark.column + 1)) < 0) break;
        }
    }
    free(sub);
    return rc;
}

/* Line and column (1-based) of byte offset `off` in text; columns count characters, as libyaml's
 * marks do (the bytes before `off` are valid UTF-8 when this is called). */
static void sk__offset_pos(const char *text, size_t len, size_t off, int *line, int *col) {
    int l = 1, c = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') { l++; c = 1; }
        else if (((unsigned char)text[i] & 0xc0) != 0x80) c++;
    }
    *line = l;
    *col = c;
}

/* Report libyaml's error in p (reader: encoding; scanner/parser: syntax) at the key path `path`.
 * Returns SK_EDATA, or SK_ENOMEM. */
static int sk__yaml_err(sk_diag *d, const yaml_parser_t *p, const char *text, size_t len, const char *path) {
    if (p->error == YAML_MEMORY_ERROR) return SK_ENOMEM;
    if (p->error == YAML_READER_ERROR) {
        int l, c;
        sk__offset_pos(text, len, p->problem_offset, &l, &c);
        unsigned byte = p->problem_offset < len ? (unsigned char)text[p->problem_offset] : 0;
        return sk__err(d, SK_EDATA, l, c, path, "%s (byte 0x%02x at offset %zu): the file must be UTF-8 text",
                       p->problem ? p->problem : "unreadable byte", byte, p->problem_offset);
    }
    int l = (int)p->problem_mark.line + 1, c = (int)p->problem_mark.column + 1;
    char ctx[160] = "";
    if (p->context)
        snprintf(ctx, sizeof ctx, " %s that starts at %d:%d", p->context, (int)p->context_mark.line + 1,
                 (int)p->context_mark.column + 1);
    /* a tab in the indentation of the problem line: say so, libyaml's wording does not */
    const char *tab = "";
    size_t bol = p->problem_mark.index < len ? p->problem_mark.index : len;
    while (bol > 0 && text[bol - 1] != '\n') bol--;
    for (size_t i = bol; i < len && (text[i] == ' ' || text[i] == '\t'); i++)
        if (text[i] == '\t') { tab = " (a tab in the indentation: YAML indents with spaces)"; break; }
    return sk__err(d, SK_EDATA, l, c, path, "YAML syntax error: %s%s%s", p->problem ? p->problem : "unknown", ctx, tab);
}

/* ---- pass 0: libyaml events, to tell where (which key path) a syntax error or an anchor is ---- */

#define SK_EXP_MAX_DEPTH 32 /* nesting levels of mappings and sequences */

typedef struct sk_yframe {
    size_t plen;  /* length of the container's path */
    int map;      /* mapping (1) or sequence (0) */
    int have_key; /* mapping: 0 a key comes next, 1 its value (path holds ".key"), 2 inside a complex key */
    long idx;     /* sequence: index of the next entry */
} sk_yframe;

typedef struct sk_yscan {
    char *path; /* the key path of the current position */
    size_t len, cap;
    sk_yframe st[SK_EXP_MAX_DEPTH];
    int n;
} sk_yscan;

static int sk__yscan_add(sk_yscan *s, const char *txt, size_t tl) {
    if (s->len + tl + 1 > s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        while (nc < s->len + tl + 1) nc *= 2;
        char *np = realloc(s->path, nc);
        if (!np) return SK_ENOMEM;
        s->path = np;
        s->cap = nc;
    }
    memcpy(s->path + s->len, txt, tl);
    s->len += tl;
    s->path[s->len] = 0;
    return 0;
}

static void sk__yscan_cut(sk_yscan *s, size_t len) {
    s->len = len;
    if (s->path) s->path[len] = 0;
}

/* A value (scalar or container) starts in the current container: a sequence entry gets "[i]". */
static int sk__yscan_begin(sk_yscan *s) {
    if (!s->n) return 0;
    sk_yframe *f = &s->st[s->n - 1];
    if (!f->map) {
        char ix[32];
        int k = snprintf(ix, sizeof ix, "[%ld]", f->idx);
        return sk__yscan_add(s, ix, (size_t)k);
    }
    if (f->have_key == 0) f->have_key = 2; /* a container used as a key */
    return 0;
}

/* A value ended: back to the container's path. */
static void sk__yscan_end(sk_yscan *s) {
    if (!s->n) return;
    sk_yframe *f = &s->st[s->n - 1];
    if (!f->map) f->idx++;
    else f->have_key = f->have_key == 2 ? 1 : 0;
    sk__yscan_cut(s, f->plen);
}

/* Read the whole stream as events. Returns 0, or SK_EDATA (syntax, encoding), SK_ECONFIG (anchor or
 * alias, nesting deeper than SK_EXP_MAX_DEPTH) or SK_ENOMEM, with the key path of the position in
 * the message. */
static int sk__yscan(sk_diag *d, const char *text, size_t len) {
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return SK_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    sk_yscan s = {0};
    int rc = sk__yscan_add(&s, "", 0);
    for (int done = 0; !done && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            /* the innermost container's path (a mapping with its key) */
            if (s.n && !s.st[s.n - 1].map) sk__yscan_cut(&s, s.st[s.n - 1].plen);
            rc = sk__yaml_err(d, &p, text, len, s.path);
            break;
        }
        int l = (int)ev.start_mark.line + 1, c = (int)ev.start_mark.column + 1;
        const yaml_char_t *anchor = NULL;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            s.n = 0;
            sk__yscan_cut(&s, 0);
            break;
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_ALIAS_EVENT:
            if ((rc = sk__yscan_begin(&s)) < 0) break;
            rc = sk__err(d, SK_ECONFIG, l, c, s.path, "alias *%s: anchors and aliases are not supported; write the value out",
                         ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT: {
            anchor = ev.data.scalar.anchor;
            sk_yframe *f = s.n ? &s.st[s.n - 1] : NULL;
            if (f && f->map && f->have_key == 0) { /* a key */
                const char *k = (const char *)ev.data.scalar.value;
                if ((rc = sk__yscan_add(&s, ".", s.len ? 1 : 0)) < 0) break;
                if ((rc = sk__yscan_add(&s, k, ev.data.scalar.length)) < 0) break;
                f->have_key = 1;
                if (anchor) break;
            } else {
                if ((rc = sk__yscan_begin(&s)) < 0) break;
                if (anchor) break;
                sk__yscan_end(&s);
            }
            break;
        }
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev.type == YAML_MAPPING_START_EVENT ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
            if ((rc = sk__yscan_begin(&s)) < 0) break;
            if (anchor) break;
            if (s.n == SK_EXP_MAX_DEPTH) {
                rc = sk__err(d, SK_ECONFIG, l, c, s.path, "nested deeper than %d levels; not an experiment file?", SK_EXP_MAX_DEPTH);
                break;
            }
            s.st[s.n++] = (sk_yframe){.plen = s.len, .map = ev.type == YAML_MAPPING_START_EVENT};
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (s.n) s.n--;
            sk__yscan_end(&s);
            break;
        default: break;
        }
        if (rc == 0 && anchor)
            rc = sk__err(d, SK_ECONFIG, l, c, s.path, "anchor &%s: anchors and aliases are not supported; write the value out",
                         anchor);
        yaml_event_delete(&ev);
    }
    free(s.path);
    yaml_parser_delete(&p);
    return rc;
}

static int sk__ytree_load(sk_ytree *t, sk_diag *d, const char *text, size_t len) {
    memset(t, 0, sizeof *t);
    /* A UTF-8 byte order mark (some Windows editors write one) is allowed by YAML; libyaml skips it
     * only when it detects the encoding itself, and here the encoding is set to UTF-8. */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
    }
    /* libyaml reads NUL as the end of a plain scalar in some states; refuse it up front. */
    const char *nul = memchr(text, 0, len);
    if (nul) {
        int l, c;
        sk__offset_pos(text, len, (size_t)(nul - text), &l, &c);
        return sk__err(d, SK_EDATA, l, c, NULL, "NUL byte in the file (not a text file?)");
    }
    int rc = sk__yscan(d, text, len);
    if (rc < 0) return rc;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return SK_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    if (!yaml_parser_load(&p, &t->doc)) {
        rc = sk__yaml_err(d, &p, text, len, NULL);
        yaml_parser_delete(&p);
        return rc;
    }
    t->loaded = 1;
    yaml_node_t *root = yaml_document_get_root_node(&t->doc);
    if (!root) {
        yaml_parser_delete(&p);
        return sk__err(d, SK_ECONFIG, 1, 1, NULL, "empty file: expected a mapping with name, scenario, ...");
    }
    yaml_document_t extra;
    if (!yaml_parser_load(&p, &extra)) {
        rc = sk__yaml_err(d, &p, text, len, NULL);
        yaml_parser_delete(&p);
        return rc;
    }
    int more = yaml_document_get_root_node(&extra) != NULL;
    int ml = (int)extra.start_mark.line + 1;
    yaml_document_delete(&extra);
    yaml_parser_delete(&p);
    if (more) return sk__err(d, SK_ECONFIG, ml, 1, NULL, "a second YAML document; an experiment file holds one");
    size_t nnodes = (size_t)(t->doc.nodes.top - t->doc.nodes.start);
    if (nnodes > SK_EXP_MAX_NODES)
        return sk__err(d, SK_ECONFIG, 1, 1, NULL, "%zu YAML nodes; at most %d", nnodes, SK_EXP_MAX_NODES);
    if (!(t->seen = calloc(nnodes + 1, 1))) return SK_ENOMEM;
    if (root->type != YAML_MAPPING_NODE)
        return sk__err(d, SK_ECONFIG, (int)root->start_mark.line + 1, (int)root->start_mark.column + 1, NULL,
                       "expected a mapping (name: ..., scenario: ...), got %s", sk__ykind(root));
    return sk__ywalk(t, d, root, "", 1, 1);
}

/* ---- --set overrides ------------------------------------------------------------------------- */

typedef struct sk_sets {
    const char *const *v;
    size_t n;
    unsigned char *used;
} sk_sets;

/* Value of the last --set for `key`, or NULL. Marks every --set of that key used. */
static const char *sk__set_get(sk_sets *s, const char *key) {
    const char *val = NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < s->n; i++) {
        if (!strncmp(s->v[i], key, kl) && s->v[i][kl] == '=') {
            val = s->v[i] + kl + 1;
            s->used[i] = 1;
        }
    }
    return val;
}

/* 1 if some --set names `key` (without marking it used). */
static int sk__set_peek(const sk_sets *s, const char *key) {
    size_t kl = strlen(key);
    for (size_t i = 0; i < s->n; i++)
        if (!strncmp(s->v[i], key, kl) && s->v[i][kl] == '=') return 1;
    return 0;
}

static int sk__set_err(sk_diag *d, const char *key, const char *val, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int sk__set_err(sk_diag *d, const char *key, const char *val, const char *fmt, ...) {
    if (d->set || !d->buf || !d->len) return SK_ECONFIG;
    d->set = 1;
    int n = snprintf(d->buf, d->len, "--set %s=%s: ", key, val);
    va_list ap;
    va_start(ap, fmt);
    sk__vfinish(d, n, fmt, ap);
    va_end(ap);
    return SK_ECONFIG;
}

/* ---- pass 2: libcyaml schema built from the kind's tables ------------------------------------ */

typedef struct sk_y_pol {
    char *name;
    void **params;
} sk_y_pol;

typedef struct sk_y_top {
    char *name;
    char *seed;         /* scalars are read as text and parsed like --set values (sk_param_parse): */
    char *replications; /* libcyaml's numbers take "1e3" as 1, "4.0" as 4 and "010" as 8 */
    char *output;
    char *series;
    void **scenario; /* [0] kind, [1 + k] parameter k */
    sk_y_pol *policies;
    unsigned policies_count;
} sk_y_top;

typedef struct sk_schema {
    cyaml_schema_field_t *scn_f;  /* kind + params + end */
    cyaml_schema_field_t *pp_f;   /* union of the kind's policies' params + end */
    const sk_param_def **pp_def;  /* definition of each pp_f field */
    size_t npp;
    cyaml_schema_field_t pol_f[3];
    cyaml_schema_value_t pol_entry;
    cyaml_schema_field_t top_f[9];
    cyaml_schema_value_t top;
    cyaml_schema_value_t str_value;
} sk_schema;

/* Every parameter is read as text (its slot holds a char *) and parsed by sk_param_parse, so the
 * file and --set accept the same values. */
static void sk__field_for(cyaml_schema_field_t *f, const sk_param_def *p, size_t slot, const cyaml_schema_value_t *str) {
    memset(f, 0, sizeof *f);
    f->key = p->name;
    f->data_offset = (uint32_t)(slot * sizeof(void *));
    f->value = *str;
    f->value.flags |= CYAML_FLAG_OPTIONAL;
}

static void sk__schema_fini(sk_schema *s) {
    free(s->scn_f);
    free(s->pp_f);
    free(s->pp_def);
}

static int sk__schema_init(sk_schema *s, const sk_scenario_kind *k) {
    memset(s, 0, sizeof *s);
    s->str_value = (cyaml_schema_value_t){CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED)};
    s->scn_f = calloc(k->nparams + 2, sizeof *s->scn_f);
    size_t cap = 0;
    for (size_t q = 0; q < k->npolicies; q++) cap += k->policies[q]->nparams;
    s->pp_f = calloc(cap + 1, sizeof *s->pp_f);
    s->pp_def = calloc(cap + 1, sizeof *s->pp_def);
    if (!s->scn_f || !s->pp_f || !s->pp_def) {
        sk__schema_fini(s);
        return SK_ENOMEM;
    }
    s->scn_f[0] = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("kind", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                               sk_y_top, name, 0, CYAML_UNLIMITED);
    s->scn_f[0].data_offset = 0;
    for (size_t i = 0; i < k->nparams; i++) sk__field_for(&s->scn_f[1 + i], &k->params[i], 1 + i, &s->str_value);
    for (size_t q = 0; q < k->npolicies; q++)
        for (size_t i = 0; i < k->policies[q]->nparams; i++) {
            const sk_param_def *p = &k->policies[q]->params[i];
            size_t j = 0;
            while (j < s->npp && strcmp(s->pp_def[j]->name, p->name)) j++;
            if (j < s->npp) {
                if (s->pp_def[j]->type != p->type)
                    sk_die(SK_LOC, "policy parameter '%s' has two types in kind '%s'", p->name, k->name);
                continue;
            }
            s->pp_def[s->npp] = p;
            sk__field_for(&s->pp_f[s->npp], p, s->npp, &s->str_value);
            s->npp++;
        }
    s->pol_f[0] = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                               sk_y_pol, name, 0, CYAML_UNLIMITED);
    s->pol_f[1] = (cyaml_schema_field_t){.key = "params",
                                         .data_offset = offsetof(sk_y_pol, params),
                                         .value = {.type = CYAML_MAPPING,
                                                   .flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                   .data_size = (uint32_t)((s->npp ? s->npp : 1) * sizeof(void *)),
                                                   .mapping = {.fields = s->pp_f}}};
    s->pol_entry = (cyaml_schema_value_t){CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sk_y_pol, s->pol_f)};
    cyaml_schema_field_t *f = s->top_f;
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        name, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("seed", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        seed, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("replications", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                        sk_y_top, replications, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("output", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        output, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("series", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        series, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t){.key = "scenario", .data_offset = offsetof(sk_y_top, scenario),
                                  .value = {.type = CYAML_MAPPING, .flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                            .data_size = (uint32_t)((k->nparams + 1) * sizeof(void *)),
                                            .mapping = {.fields = s->scn_f}}};
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_SEQUENCE("policies", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                      policies, &s->pol_entry, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_IGNORE("sweep", CYAML_FLAG_OPTIONAL);
    *f = (cyaml_schema_field_t)CYAML_FIELD_END;
    s->top = (cyaml_schema_value_t){CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, sk_y_top, s->top_f)};
    return 0;
}

typedef struct sk_cylog {
    char buf[2048];
    size_t n;
} sk_cylog;

static void sk__cylog(cyaml_log_t level, void *ctx, const char *fmt, va_list args) {
    sk_cylog *l = ctx;
    if (level < CYAML_LOG_ERROR || l->n >= sizeof l->buf - 1) return;
    int k = vsnprintf(l->buf + l->n, sizeof l->buf - l->n, fmt, args);
    if (k > 0) l->n += (size_t)k;
    if (l->n > sizeof l->buf - 1) l->n = sizeof l->buf - 1;
}

/* Turn libcyaml's log ("Load: MSG\nLoad: Backtrace:\n  in mapping field 'k' (line: L, column: C)
 * ...") into one diagnostic with our key path and the most precise position we know. */
static int sk__cyaml_diag(sk_diag *d, const sk_ytree *t, const sk_cylog *lg, const sk_scenario_kind *k) {
    char msg[512] = "", path[1600] = "";
    int line = 0, col = 0;
    const char *p = lg->buf;
    const char *nl = strchr(p, '\n');
    if (!strncmp(p, "Load: ", 6)) p += 6;
    snprintf(msg, sizeof msg, "%.*s", (int)((nl ? nl : p + strlen(p)) - p), p);
    /* backtrace: innermost first */
    const char *fields[16];
    size_t flen[16], nf = 0;
    for (const char *q = strstr(lg->buf, "  in "); q; q = strstr(q + 1, "  in ")) {
        unsigned long l2 = 0, c2 = 0;
        const char *lp = strstr(q, "(line: ");
        if (lp && sscanf(lp, "(line: %lu, column: %lu)", &l2, &c2) == 2 && !line) {
            line = (int)l2;
            col = (int)c2;
        }
        if (!strncmp(q, "  in mapping field '", 20) && nf < 16) {
            const char *s = q + 20, *e = strchr(s, '\'');
            if (e) { fields[nf] = s; flen[nf] = (size_t)(e - s); nf++; }
        } else if (!strncmp(q, "  in sequence entry '", 21) && nf < 16) {
            const char *s = q + 21 - 1, *e = strchr(q + 21, '\'');
            if (e) { fields[nf] = s; flen[nf] = (size_t)(e - s) + 1; nf++; } /* "'N" marker */
        }
    }
    size_t o = 0;
    for (size_t i = nf; i-- > 0;) {
        if (fields[i][0] == '\'') /* libcyaml counts entries from 1 in its backtrace */
            o += (size_t)snprintf(path + o, sizeof path - o, "[%ld]", strtol(fields[i] + 1, NULL, 10) - 1);
        else o += (size_t)snprintf(path + o, sizeof path - o, "%s%.*s", o ? "." : "", (int)flen[i], fields[i]);
        if (o >= sizeof path) o = sizeof path - 1;
    }
    char better[700];
    const char *m = msg;
    if (!strncmp(msg, "Unexpected key: ", 16)) {
        const char *key = msg + 16;
        char full[1400];
        snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", key);
        const sk_ynode *yn = sk__ylook(t, full);
        if (yn) { line = yn->kline; col = yn->kcol; }
        snprintf(path, sizeof path, "%s", full);
        if (!strcmp(full, key))
            m = "unknown key (expected name, seed, replications, output, series, scenario, policies, sweep)";
        else if (!strncmp(full, "scenario.", 9)) {
            size_t o2 = (size_t)snprintf(better, sizeof better, "not a parameter of scenario kind '%s' (it takes: kind", k->name);
            for (size_t i = 0; i < k->nparams && o2 < sizeof better; i++)
                o2 += (size_t)snprintf(better + o2, sizeof better - o2, ", %s", k->params[i].name);
            if (o2 < sizeof better) snprintf(better + o2, sizeof better - o2, ")");
            m = better;
        } else if (strstr(full, ".params."))
            m = "not a parameter of any policy of this scenario kind";
        else if (!strncmp(full, "policies[", 9))
            m = "unknown key (a policy entry has: name, params)";
        else
            m = "unknown key";
    } else if (!strncmp(msg, "Expecting ", 10)) {
        const sk_ynode *yn = sk__ylook(t, path);
        if (yn) {
            line = yn->vline;
            col = yn->vcol;
        }
        const char *want = strstr(msg, "MAPPING") == msg + 10 ? "a mapping"
                         : strstr(msg, "SEQUENCE") == msg + 10 ? "a sequence" : "a scalar value";
        snprintf(better, sizeof better, "expected %s, got %s", want, yn ? sk__ykind(yn->node) : "something else");
        m = better;
    }
    if (*path) {
        const sk_ynode *yn = sk__ylook(t, path);
        if (yn && strncmp(msg, "Unexpected key", 14)) { line = yn->vline; col = yn->vcol; }
    }
    return sk__err(d, SK_ECONFIG, line, col, path, "%s", m);
}

/* ---- helpers --------------------------------------------------------------------------------- */

static int sk__pos(const sk_ytree *t, const char *path, int *l, int *c) {
    const sk_ynode *n = sk__ylook(t, path);
    *l = n ? n->vline : 0;
    *c = n ? n->vcol : 0;
    return n != NULL;
}

/* A seed: decimal digits only, 0 .. 2^64-1. Returns 0 or SK_ECONFIG. */
static int sk__parse_seed(const char *text, uint64_t *out) {
    char *end;
    if (*text < '0' || *text > '9') return SK_ECONFIG;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno) return SK_ECONFIG;
    *out = v;
    return 0;
}

/* A PATH value must name a readable file (absolute, relative to the experiment file's folder or
 * the working directory, or found on the trace search path). The value stays as written, so the
 * resolved configuration, its sha256 and /summary do not depend on where the data lives; runs
 * resolve it again (sk_trace_find with the experiment file). */
static int sk__resolve_path(const char *expfile, sk_value *v, char *why, size_t wlen) {
    char found[4096];
    int rc = sk_trace_find(v->s, expfile, found, sizeof found);
    if (rc == SK_ENOMEM) return rc;
    if (rc < 0) {
        snprintf(why, wlen, "data file '%s' not found (looked next to the experiment file, in the working "
                 "directory and on the trace search path: $SYNKTI_TRACES, ../shared/traces, traces/data)", v->s);
        return SK_ENOINPUT;
    }
    return 0;
}

static int sk__name_ok(const char *s) {
    if (!*s || strlen(s) > 200) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.", *p)))
            return 0;
    return s[0] != '.';
}

/* ---- sweep axes ------------------------------------------------------------------------------ */

/* Digits after the decimal point in a plain decimal literal; -1 for exponent forms. */
static int sk__decimals(const char *s) {
    if (strpbrk(s, "eE")) return -1;
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* Expand "a..b" or "a..b:step" (INT or FLOAT) into vals. Returns 1 if `text` is a range (and
 * appended), 0 if not, or a negative error with why set. */
static int sk__range(const sk_param_def *def, const char *text, sk_value **vals, size_t *n, size_t *cap,
                     char *why, size_t wlen) {
    const char *dots = strstr(text, "..");
    if (!dots || (def->type != SK_PT_INT && def->type != SK_PT_FLOAT)) return 0;
    char a[128], b[128], st[128] = "";
    const char *colon = strchr(dots + 2, ':');
    if ((size_t)(dots - text) >= sizeof a || strlen(dots + 2) >= sizeof b) {
        snprintf(why, wlen, "range too long");
        return SK_ECONFIG;
    }
    snprintf(a, sizeof a, "%.*s", (int)(dots - text), text);
    if (colon) {
        snprintf(b, sizeof b, "%.*s", (int)(colon - dots - 2), dots + 2);
        snprintf(st, sizeof st, "%s", colon + 1);
    } else {
        snprintf(b, sizeof b, "%s", dots + 2);
    }
    char *e1, *e2, *e3;
    errno = 0;
    double lo = strtod(a, &e1), hi = strtod(b, &e2), step = *st ? strtod(st, &e3) : 1.0;
    if (e1 == a || *e1 || e2 == b || *e2 || (*st && (e3 == st || *e3)) || errno || !isfinite(lo) ||
        !isfinite(hi) || !isfinite(step)) {
        snprintf(why, wlen, "expected a range FROM..TO or FROM..TO:STEP, got '%s'", text);
        return SK_ECONFIG;
    }
    if (!(step > 0)) {
        snprintf(why, wlen, "range step must be > 0, got '%s'", text);
        return SK_ECONFIG;
    }
    if (hi < lo) {
        snprintf(why, wlen, "empty range '%s' (TO is below FROM)", text);
        return SK_ECONFIG;
    }
    if (def->type == SK_PT_INT && (lo != floor(lo) || hi != floor(hi) || step != floor(step))) {
        snprintf(why, wlen, "integer parameter: range bounds and step must be integers, got '%s'", text);
        return SK_ECONFIG;
    }
    /* integer ranges are counted exactly in int64 (bounds that doubles hold exactly) */
    if (def->type == SK_PT_INT && (fabs(lo) > 0x1p53 || fabs(hi) > 0x1p53)) {
        snprintf(why, wlen, "range '%s' goes outside [%.10g, %.10g]", text, def->lo, def->hi);
        return SK_ECONFIG;
    }
    int64_t ilo = 0, istep = 1;
    if (def->type == SK_PT_INT) {
        ilo = (int64_t)lo;
        istep = step > hi - lo ? (int64_t)(hi - lo) + 1 : (int64_t)step; /* a step past TO: FROM alone */
    }
    if (def->type == SK_PT_FLOAT && !*st) {
        snprintf(why, wlen, "a range over a real parameter needs a step: FROM..TO:STEP, got '%s'", text);
        return SK_ECONFIG;
    }
    double cnt = def->type == SK_PT_INT ? (double)(((int64_t)hi - ilo) / istep + 1)
                                        : floor((hi - lo) / step * (1 + 1e-12) + 1e-9) + 1;
    if (cnt + (double)*n > (double)SK_EXP_MAX_AXIS) {
        snprintf(why, wlen, "range '%s' has %.0f values; a sweep axis takes at most %d", text, cnt, SK_EXP_MAX_AXIS);
        return SK_ECONFIG;
    }
    for (uint64_t k = 0; k < (uint64_t)cnt; k++) {
        if (*n == *cap) {
            size_t nc = *cap ? 2 * *cap : 8;
            sk_value *nv = realloc(*vals, nc * sizeof *nv);
            if (!nv) return SK_ENOMEM;
            *vals = nv;
            *cap = nc;
        }
        sk_value *v = &(*vals)[*n];
        *v = (sk_value){0};
        if (def->type == SK_PT_INT) {
            v->i = ilo + (int64_t)k * istep;
        } else {
            /* lo + k*step, snapped to the decimals written (0.1..0.5:0.2 gives 0.3, not
             * 0.30000000000000004) */
            v->f = lo + (double)k * step;
            int dec = sk__decimals(a) > sk__decimals(st) ? sk__decimals(a) : sk__decimals(st);
            if (dec >= 0 && dec <= 15) {
                double sc = pow(10, dec), x = round(v->f * sc) / sc;
                if (fabs(x - v->f) <= 1e-9 * fmax(1, fabs(v->f))) v->f = x;
            }
        }
        (*n)++;
        int rc = sk_param_check(def, v, why, wlen);
        if (rc < 0) return rc;
    }
    return 1;
}

/* Add one value (or range) text to an axis. */
static int sk__axis_add(sk_axis *ax, size_t *cap, const char *text, char *why, size_t wlen) {
    int rc = sk__range(ax->def, text, &ax->vals, &ax->n, cap, why, wlen);
    if (rc != 0) return rc < 0 ? rc : 0;
    if (ax->n >= SK_EXP_MAX_AXIS) {
        snprintf(why, wlen, "more than %d values; a sweep axis takes at most %d", SK_EXP_MAX_AXIS, SK_EXP_MAX_AXIS);
        return SK_ECONFIG;
    }
    if (ax->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        sk_value *nv = realloc(ax->vals, nc * sizeof *nv);
        if (!nv) return SK_ENOMEM;
        ax->vals = nv;
        *cap = nc;
    }
    if ((rc = sk_param_parse(ax->def, text, &ax->vals[ax->n], why, wlen)) < 0) return rc;
    ax->n++;
    return 0;
}

static void sk__axis_fini(sk_axis *ax, sk_ptype t) {
    (void)t;
    for (size_t i = 0; i < ax->n; i++) sk_value_fini(&ax->vals[i]);
    free(ax->vals);
    free(ax->key);
    memset(ax, 0, sizeof *ax);
}

/* Resolve a sweep key to a parameter of e's kind or of one of e's policies. Canonical key in out. */
static int sk__axis_target(const sk_exp *e, const char *key, sk_axis *ax, char *why, size_t wlen) {
    const char *k = key;
    if (!strncmp(k, "scenario.", 9)) k += 9;
    int i = sk_param_find(e->kind->params, e->kind->nparams, k);
    if (i >= 0 && !strchr(k, '.')) {
        ax->def = &e->kind->params[i];
        ax->pidx = i;
        ax->pol = NULL;
        size_t n = strlen(k) + 10;
        if (!(ax->key = malloc(n))) return SK_ENOMEM;
        snprintf(ax->key, n, "scenario.%s", k);
        return 0;
    }
    k = key;
    if (!strncmp(k, "policies.", 9)) k += 9;
    const char *dot = strchr(k, '.');
    if (dot) {
        for (size_t q = 0; q < e->npol; q++) {
            const sk_policy_def *pd = e->pol[q].def;
            if (strlen(pd->name) != (size_t)(dot - k) || strncmp(pd->name, k, (size_t)(dot - k))) continue;
            int j = sk_param_find(pd->params, pd->nparams, dot + 1);
            if (j < 0) break;
            ax->def = &pd->params[j];
            ax->pidx = j;
            ax->pol = pd;
            size_t n = strlen(k) + 10;
            if (!(ax->key = malloc(n))) return SK_ENOMEM;
            snprintf(ax->key, n, "policies.%s", k);
            return 0;
        }
    }
    snprintf(why, wlen, "not a parameter of scenario kind '%s' nor of a listed policy (write 'PARAM', "
             "'scenario.PARAM' or 'POLICY.PARAM')", e->kind->name);
    return SK_ECONFIG;
}

static int sk__axes_from_tree(sk_exp *e, const sk_ytree *t, sk_diag *d) {
    const sk_ynode *sw = sk__ylook(t, "sweep");
    if (!sw) return 0;
    yaml_node_t *n = sw->node;
    if (n->type == YAML_SCALAR_NODE && !*n->data.scalar.value && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return 0; /* "sweep:" with nothing */
    if (n->type != YAML_MAPPING_NODE)
        return sk__err(d, SK_ECONFIG, sw->vline, sw->vcol, "sweep", "expected a mapping of KEY: [values] or KEY: FROM..TO, got %s",
                       sk__ykind(n));
    size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (!(e->axes = calloc(np ? np : 1, sizeof *e->axes))) return SK_ENOMEM;
    char why[512];
    yaml_document_t *doc = (yaml_document_t *)&t->doc;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        const char *key = (const char *)kn->data.scalar.value;
        char path[1100];
        snprintf(path, sizeof path, "sweep.%s", key);
        int kl = (int)kn->start_mark.line + 1, kc = (int)kn->start_mark.column + 1;
        sk_axis *ax = &e->axes[e->naxes];
        int rc = sk__axis_target(e, key, ax, why, sizeof why);
        if (rc < 0) return rc == SK_ENOMEM ? rc : sk__err(d, rc, kl, kc, path, "%s", why);
        e->naxes++;
        for (size_t j = 0; j + 1 < e->naxes; j++)
            if (!strcmp(e->axes[j].key, ax->key))
                return sk__err(d, SK_ECONFIG, kl, kc, path, "the same parameter is swept twice (as '%s')", ax->key);
        size_t cap = 0;
        if (vn->type == YAML_SCALAR_NODE) {
            rc = sk__axis_add(ax, &cap, (const char *)vn->data.scalar.value, why, sizeof why);
            if (rc < 0)
                return rc == SK_ENOMEM ? rc : sk__err(d, rc, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path, "%s", why);
        } else if (vn->type == YAML_SEQUENCE_NODE) {
            int idx = 0;
            for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++, idx++) {
                yaml_node_t *x = yaml_document_get_node(doc, *it);
                char ipath[1200];
                snprintf(ipath, sizeof ipath, "%s[%d]", path, idx);
                if (x->type != YAML_SCALAR_NODE)
                    return sk__err(d, SK_ECONFIG, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ipath,
                                   "expected %s, got %s", sk_ptype_expect(ax->def->type), sk__ykind(x));
                rc = sk__axis_add(ax, &cap, (const char *)x->data.scalar.value, why, sizeof why);
                if (rc < 0)
                    return rc == SK_ENOMEM ? rc : sk__err(d, rc, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ipath, "%s", why);
            }
        } else {
            return sk__err(d, SK_ECONFIG, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path,
                           "expected a list of values or a range FROM..TO[:STEP], got a mapping");
        }
        if (ax->n == 0)
            return sk__err(d, SK_ECONFIG, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path,
                           "empty sweep: give at least one value");
        if (ax->def->type == SK_PT_PATH) /* no ranges: entry j of a list is value j */
            for (size_t j = 0; j < ax->n; j++) {
                rc = sk__resolve_path(e->file, &ax->vals[j], why, sizeof why);
                if (rc == SK_ENOMEM) return rc;
                if (rc < 0 && vn->type == YAML_SEQUENCE_NODE) {
                    yaml_node_t *x = yaml_document_get_node(doc, vn->data.sequence.items.start[j]);
                    char ipath[1200];
                    snprintf(ipath, sizeof ipath, "%s[%zu]", path, j);
                    return sk__err(d, rc, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ipath, "%s", why);
                }
                if (rc < 0) return sk__err(d, rc, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path, "%s", why);
            }
    }
    return 0;
}

/* --set sweep.KEY=v1,v2 | a..b[:s] | "" (remove). */
static int sk__axes_from_sets(sk_exp *e, sk_sets *s, sk_diag *d) {
    for (size_t i = 0; i < s->n; i++) {
        if (strncmp(s->v[i], "sweep.", 6)) continue;
        s->used[i] = 1;
        const char *eq = strchr(s->v[i], '=');
        char key[1024];
        snprintf(key, sizeof key, "%.*s", (int)(eq - s->v[i] - 6), s->v[i] + 6);
        const char *val = eq + 1;
        char why[512], full[1100];
        snprintf(full, sizeof full, "sweep.%s", key);
        sk_axis ax = {0};
        int rc = sk__axis_target(e, key, &ax, why, sizeof why);
        if (rc < 0) return rc == SK_ENOMEM ? rc : sk__set_err(d, full, val, "%s", why);
        size_t j = 0;
        while (j < e->naxes && strcmp(e->axes[j].key, ax.key)) j++;
        if (j == e->naxes) {
            sk_axis *na = realloc(e->axes, (e->naxes + 1) * sizeof *na);
            if (!na) { free(ax.key); return SK_ENOMEM; }
            e->axes = na;
            e->axes[e->naxes++] = ax;
        } else {
            sk_ptype t = e->axes[j].def->type;
            sk__axis_fini(&e->axes[j], t);
            e->axes[j] = ax;
        }
        sk_axis *a = &e->axes[j];
        if (!*val) { /* remove */
            sk__axis_fini(a, a->def->type);
            memmove(a, a + 1, (e->naxes - j - 1) * sizeof *a);
            e->naxes--;
            continue;
        }
        size_t cap = 0;
        char *copy = strdup(val);
        if (!copy) return SK_ENOMEM;
        for (char *tok = copy, *next; tok; tok = next) {
            if ((next = strchr(tok, ','))) *next++ = '\0';
            while (*tok == ' ') tok++;
            if (!*tok) { /* "1,,2" or "1,2,": a value lost to a typo is not dropped silently */
                snprintf(why, sizeof why, "empty value in the list (two commas, or one at an end?)");
                rc = SK_ECONFIG;
                break;
            }
            if ((rc = sk__axis_add(a, &cap, tok, why, sizeof why)) < 0) break;
        }
        free(copy);
        if (rc == 0 && a->n == 0) { snprintf(why, sizeof why, "empty sweep"); rc = SK_ECONFIG; }
        if (rc == 0 && a->def->type == SK_PT_PATH)
            for (size_t k = 0; k < a->n && rc == 0; k++) rc = sk__resolve_path(e->file, &a->vals[k], why, sizeof why);
        if (rc < 0) return rc == SK_ENOMEM ? rc : (d->set ? rc : (sk__set_err(d, full, val, "%s", why), rc));
    }
    return 0;
}

/* ---- resolved YAML and sha256 ---------------------------------------------------------------- */

static void sk__print_params(FILE *f, const char *indent, const sk_param_def *defs, size_t n, const sk_value *v) {
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s: ", indent, defs[i].name);
        sk_value_print(f, &v[i], defs[i].type);
        fputc('\n', f);
    }
}

static int sk__resolve_text(sk_exp *e) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return SK_ENOMEM;
    sk_value tmp = {.s = e->name};
    fputs("name: ", f);
    sk_value_print(f, &tmp, SK_PT_STR);
    fprintf(f, "\nseed: %llu\nreplications: %lld\n", (unsigned long long)e->seed, (long long)e->replications);
    fprintf(f, "series: %s\nscenario:\n  kind: %s\n", e->series ? "true" : "false", e->kind->name);
    sk__print_params(f, "  ", e->kind->params, e->kind->nparams, e->sparams);
    if (e->kind->npolicies) {
        fputs("policies:\n", f);
        for (size_t q = 0; q < e->npol; q++) {
            fprintf(f, "  - name: %s\n", e->pol[q].def->name);
            if (e->pol[q].def->nparams) {
                fputs("    params:\n", f);
                sk__print_params(f, "      ", e->pol[q].def->params, e->pol[q].def->nparams, e->pol[q].params);
            }
        }
    }
    if (e->naxes) {
        fputs("sweep:\n", f);
        for (size_t a = 0; a < e->naxes; a++) {
            fprintf(f, "  %s: [", e->axes[a].key);
            for (size_t j = 0; j < e->axes[a].n; j++) {
                if (j) fputs(", ", f);
                sk_value_print(f, &e->axes[a].vals[j], e->axes[a].def->type);
            }
            fputs("]\n", f);
        }
    }
    /* config_sha256 says what the runs compute, so where the results go is left out: the output
     * line comes last and the hash covers what precedes it (shards written under other names, with
     * -o or --set output=..., still merge and resume) */
    long hashed = ftell(f);
    fputs("output: ", f);
    tmp.s = e->output;
    sk_value_print(f, &tmp, SK_PT_STR);
    fputc('\n', f);
    if (fclose(f) || !buf || hashed < 0) {
        free(buf);
        return SK_ENOMEM;
    }
    e->resolved = buf;
    return sk_sha256_hex(buf, (size_t)hashed, e->sha256);
}

/* ---- plan ------------------------------------------------------------------------------------ */

int sk_run_scratch_init(sk_run_scratch *sc, const sk_exp *e) {
    size_t np = 0;
    for (size_t q = 0; q < e->npol; q++)
        if (e->pol[q].def->nparams > np) np = e->pol[q].def->nparams;
    sc->ns = e->kind->nparams;
    sc->np = np;
    sc->s = calloc(sc->ns + 1, sizeof *sc->s);
    sc->p = calloc(np + 1, sizeof *sc->p);
    if (!sc->s || !sc->p) {
        sk_run_scratch_fini(sc);
        return SK_ENOMEM;
    }
    return 0;
}

void sk_run_scratch_fini(sk_run_scratch *sc) {
    free(sc->s);
    free(sc->p);
    memset(sc, 0, sizeof *sc);
}

void sk_exp_run_at(const sk_exp *e, uint64_t i, sk_run_scratch *sc, sk_run_spec *spec) {
    sk_plan_run pr = sk_plan_at(&e->plan, i);
    spec->index = pr.index;
    spec->replication = pr.replication;
    spec->policy = (size_t)pr.policy;
    spec->point = pr.point;
    spec->world_index = pr.world_index;
    memcpy(sc->s, e->sparams, e->kind->nparams * sizeof *sc->s);
    const sk_policy_use *pu = e->npol ? &e->pol[spec->policy] : NULL;
    if (pu) memcpy(sc->p, pu->params, pu->def->nparams * sizeof *sc->p);
    for (size_t a = 0; a < e->naxes; a++) {
        const sk_axis *ax = &e->axes[a];
        const sk_value *v = &ax->vals[sk_plan_axis_at(&e->plan, spec->point, a)];
        if (!ax->pol) sc->s[ax->pidx] = *v;
        else if (pu && pu->def == ax->pol) sc->p[ax->pidx] = *v;
    }
    spec->sparams = sc->s;
    spec->pparams = pu ? sc->p : NULL;
}

/* ---- load ------------------------------------------------------------------------------------ */

void sk_exp_fini(sk_exp *e) {
    if (!e) return;
    if (e->kind && e->sparams)
        for (size_t i = 0; i < e->kind->nparams; i++) sk_value_fini(&e->sparams[i]);
    free(e->sparams);
    for (size_t q = 0; q < e->npol; q++) {
        if (e->pol[q].params)
            for (size_t i = 0; i < e->pol[q].def->nparams; i++) sk_value_fini(&e->pol[q].params[i]);
        free(e->pol[q].params);
    }
    free(e->pol);
    for (size_t a = 0; a < e->naxes; a++) sk__axis_fini(&e->axes[a], e->axes[a].def ? e->axes[a].def->type : SK_PT_INT);
    free(e->axes);
    free(e->axis_len);
    if (e->shared) e->kind->shared_free(e->shared);
    free(e->file);
    free(e->name);
    free(e->output);
    free(e->resolved);
    memset(e, 0, sizeof *e);
}

/* Where a failed cross-check points for scenario parameter `bad` at sweep point `point`: the sweep
 * entry that gave its value, else its key in the file, else the scenario mapping. The key path goes
 * to path. */
static void sk__check_pos(const sk_exp *e, const sk_ytree *t, size_t bad, uint64_t point, char *path, size_t plen,
                          int *l, int *c) {
    const sk_ynode *sw = sk__ylook(t, "sweep");
    for (size_t a = 0; a < e->naxes; a++) {
        const sk_axis *ax = &e->axes[a];
        if (ax->pol || (size_t)ax->pidx != bad) continue;
        if (!sw || sw->node->type != YAML_MAPPING_NODE) break; /* swept by --set */
        yaml_document_t *doc = (yaml_document_t *)&t->doc;
        for (yaml_node_pair_t *p = sw->node->data.mapping.pairs.start; p < sw->node->data.mapping.pairs.top; p++) {
            yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
            const char *ks = (const char *)kn->data.scalar.value;
            if (strcmp(ks, ax->key) && strcmp(ks, ax->key + 9)) continue; /* "scenario.lps" or "lps" */
            /* a plain list (no ranges) has one entry per value: point at the entry */
            size_t idx = sk_plan_axis_at(&e->plan, point, a), ni = 0;
            int plain = vn->type == YAML_SEQUENCE_NODE;
            for (yaml_node_item_t *it = plain ? vn->data.sequence.items.start : NULL; plain && it < vn->data.sequence.items.top; it++, ni++) {
                yaml_node_t *x = yaml_document_get_node(doc, *it);
                if (x->type != YAML_SCALAR_NODE || strstr((const char *)x->data.scalar.value, "..")) plain = 0;
            }
            if (plain && ni == ax->n) snprintf(path, plen, "sweep.%s[%zu]", ks, idx);
            else snprintf(path, plen, "sweep.%s", ks);
            if (sk__pos(t, path, l, c)) return;
        }
        break;
    }
    snprintf(path, plen, "scenario.%s", e->kind->params[bad].name);
    if (sk__pos(t, path, l, c)) return;
    const sk_ynode *sn = sk__ylook(t, "scenario"); /* a default value: point at "scenario:" */
    *l = sn ? sn->kline : 0;
    *c = sn ? sn->kcol : 0;
}

/* A quoted scalar is a string in YAML: refused where a number or a boolean is expected, so that
 * `lps: "16"` is the type error it is. (Sweep entries are not checked: a range may be quoted.) */
static int sk__quoted_value(const sk_ytree *t, const char *path, const sk_param_def *p, char *why, size_t wlen) {
    if (p->type == SK_PT_STR || p->type == SK_PT_PATH) return 0;
    const sk_ynode *yn = sk__ylook(t, path);
    if (!yn || !yn->node || yn->node->type != YAML_SCALAR_NODE) return 0;
    yaml_scalar_style_t st = yn->node->data.scalar.style;
    if (st != YAML_SINGLE_QUOTED_SCALAR_STYLE && st != YAML_DOUBLE_QUOTED_SCALAR_STYLE) return 0;
    snprintf(why, wlen, "expected %s, got a quoted string (write it without quotes)", sk_ptype_expect(p->type));
    return SK_ECONFIG;
}

/* Fill a parameter vector from defaults, the libcyaml slots (file), then --set; check each.
 * `base` is the key path prefix ("scenario" or "policies[2].params"); `setbase` the --set prefix
 * ("scenario" or "policies.NAME"). */
static int sk__params(sk_exp *e, const sk_ytree *t, sk_diag *d, sk_sets *sets, const sk_param_def *defs, size_t n,
                      void **slots, const size_t *slot_of, const char *base, const char *setbase, sk_value *out) {
    char why[512], path[1200], skey[1200];
    for (size_t i = 0; i < n; i++) {
        const sk_param_def *p = &defs[i];
        snprintf(path, sizeof path, "%s.%s", base, p->name);
        snprintf(skey, sizeof skey, "%s.%s", setbase, p->name);
        int l, c, rc;
        sk__pos(t, path, &l, &c);
        const char *sv = sk__set_get(sets, skey);
        void *slot = slots ? slots[slot_of ? slot_of[i] : i] : NULL;
        if (sv) {
            if ((rc = sk_param_parse(p, sv, &out[i], why, sizeof why)) < 0)
                return rc == SK_ENOMEM ? rc : sk__set_err(d, skey, sv, "%s", why);
            l = 0;
        } else if (slot) {
            if ((rc = sk__quoted_value(t, path, p, why, sizeof why)) < 0 ||
                (rc = sk_param_parse(p, (const char *)slot, &out[i], why, sizeof why)) < 0)
                return rc == SK_ENOMEM ? rc : sk__err(d, rc, l, c, path, "%s", why);
        } else if (p->def) {
            if ((rc = sk_param_parse(p, p->def, &out[i], why, sizeof why)) < 0)
                sk_die(SK_LOC, "default '%s' of %s does not parse: %s", p->def, p->name, why);
            l = 0;
        } else {
            /* a required scenario parameter may be given by a sweep axis alone: its first value
             * becomes the base value once the axes are read (sk__fill_from_axes) */
            char sw1[1300], sw2[1300];
            snprintf(sw1, sizeof sw1, "sweep.%s", p->name);
            snprintf(sw2, sizeof sw2, "sweep.scenario.%s", p->name);
            if (!strcmp(base, "scenario") && (sk__ylook(t, sw1) || sk__ylook(t, sw2) || sk__set_peek(sets, sw1) || sk__set_peek(sets, sw2)))
                continue;
            sk__pos(t, base, &l, &c);
            return sk__err(d, SK_ECONFIG, l, c, path, "missing: required (%s, %s)", sk_ptype_expect(p->type), p->help);
        }
        if (p->type == SK_PT_PATH && (rc = sk__resolve_path(e->file, &out[i], why, sizeof why)) < 0) {
            if (rc == SK_ENOMEM) return rc;
            if (sv) return sk__set_err(d, skey, sv, "%s", why), rc;
            return sk__err(d, rc, l, c, path, "%s", why);
        }
    }
    return 0;
}

static int sk__load(sk_exp *e, sk_diag *d, const char *text, size_t len, sk_sets *sets) {
    sk_ytree t;
    sk_schema sch;
    int have_schema = 0;
    sk_y_top *y = NULL;
    cyaml_config_t cfg = {0};
    sk_cylog lg = {.n = 0};
    char why[512];
    int rc = sk__ytree_load(&t, d, text, len);
    if (rc < 0) goto out;

    /* the kind decides the schema */
    const char *kname = sk__set_get(sets, "scenario.kind");
    const sk_ynode *sn = sk__ylook(&t, "scenario"), *kn = sk__ylook(&t, "scenario.kind");
    if (!kname) {
        if (!sn) { rc = sk__err(d, SK_ECONFIG, 1, 1, "scenario", "missing: required (a mapping with kind: and its parameters)"); goto out; }
        if (sn->node->type != YAML_MAPPING_NODE) {
            rc = sk__err(d, SK_ECONFIG, sn->vline, sn->vcol, "scenario", "expected a mapping with kind: and its parameters, got %s", sk__ykind(sn->node));
            goto out;
        }
        if (!kn) { rc = sk__err(d, SK_ECONFIG, sn->vline, sn->vcol, "scenario.kind", "missing: required (one of: phold)"); goto out; }
        if (kn->node->type != YAML_SCALAR_NODE) {
            rc = sk__err(d, SK_ECONFIG, kn->vline, kn->vcol, "scenario.kind", "expected a name, got %s", sk__ykind(kn->node));
            goto out;
        }
        kname = (const char *)kn->node->data.scalar.value;
    }
    if (!(e->kind = sk_scenario_find(kname))) {
        char known[256] = "";
        size_t o = 0;
        for (size_t i = 0; sk_scenario_kinds[i] && o < sizeof known; i++)
            o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", sk_scenario_kinds[i]->name);
        if (sk__set_get(sets, "scenario.kind")) rc = sk__set_err(d, "scenario.kind", kname, "unknown scenario kind (known: %s)", known);
        else rc = sk__err(d, SK_ECONFIG, kn->vline, kn->vcol, "scenario.kind", "unknown scenario kind '%s' (known: %s)", kname, known);
        goto out;
    }

    /* policies: a list of mappings; say so plainly before libcyaml does */
    const sk_ynode *pn = sk__ylook(&t, "policies");
    if (pn) {
        if (pn->node->type != YAML_SEQUENCE_NODE) {
            rc = sk__err(d, SK_ECONFIG, pn->vline, pn->vcol, "policies", "expected a list of {name: ..., params: {...}}, got %s", sk__ykind(pn->node));
            goto out;
        }
        if (pn->node->data.sequence.items.top == pn->node->data.sequence.items.start) {
            rc = sk__err(d, SK_ECONFIG, pn->vline, pn->vcol, "policies", "empty list: name at least one policy, or leave the key out for the default");
            goto out;
        }
        int q = 0;
        for (yaml_node_item_t *it = pn->node->data.sequence.items.start; it < pn->node->data.sequence.items.top; it++, q++) {
            yaml_node_t *x = yaml_document_get_node(&t.doc, *it);
            if (x->type == YAML_MAPPING_NODE) continue;
            char ip[64];
            snprintf(ip, sizeof ip, "policies[%d]", q);
            if (x->type == YAML_SCALAR_NODE)
                rc = sk__err(d, SK_ECONFIG, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ip,
                             "expected a mapping, got '%s' (write '- name: %s')", x->data.scalar.value, x->data.scalar.value);
            else
                rc = sk__err(d, SK_ECONFIG, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ip,
                             "expected a mapping {name: ..., params: {...}}, got %s", sk__ykind(x));
            goto out;
        }
    }

    if ((rc = sk__schema_init(&sch, e->kind)) < 0) goto out;
    have_schema = 1;
    cfg.log_fn = sk__cylog;
    cfg.log_ctx = &lg;
    cfg.mem_fn = cyaml_mem;
    cfg.log_level = CYAML_LOG_ERROR;
    cfg.flags = CYAML_CFG_NO_ALIAS;
    cyaml_err_t ce = cyaml_load_data((const uint8_t *)text, len, &cfg, &sch.top, (cyaml_data_t **)&y, NULL);
    if (ce == CYAML_ERR_OOM) { rc = SK_ENOMEM; goto out; }
    if (ce != CYAML_OK) {
        if (!lg.n) snprintf(lg.buf, sizeof lg.buf, "Load: %s\n", cyaml_strerror(ce)), lg.n = 1;
        rc = sk__cyaml_diag(d, &t, &lg, e->kind);
        goto out;
    }
    if (!y) { rc = sk__err(d, SK_ECONFIG, 1, 1, NULL, "empty file"); goto out; }

    /* top-level scalars */
    int l, c;
    const char *sv;
    if ((sv = sk__set_get(sets, "name"))) {
        if (!sk__name_ok(sv)) { rc = sk__set_err(d, "name", sv, "expected letters, digits, '-', '_' or '.' (not first), at most 200"); goto out; }
        e->name = strdup(sv);
    } else if (y->name) {
        sk__pos(&t, "name", &l, &c);
        if (!sk__name_ok(y->name)) { rc = sk__err(d, SK_ECONFIG, l, c, "name", "expected letters, digits, '-', '_' or '.' (not first), at most 200 bytes, got '%s'", y->name); goto out; }
        e->name = strdup(y->name);
    } else {
        rc = sk__err(d, SK_ECONFIG, 1, 1, "name", "missing: required (names the experiment and its default output file)");
        goto out;
    }
    if (!e->name) { rc = SK_ENOMEM; goto out; }

    static const sk_param_def reps_def = {"replications", SK_PT_INT, "1", 1, 1e6, "replications"};
    sk_value v;
    if ((sv = sk__set_get(sets, "seed"))) {
        if (sk__parse_seed(sv, &e->seed) < 0) { rc = sk__set_err(d, "seed", sv, "expected an integer in [0, 18446744073709551615]"); goto out; }
    } else if (y->seed) {
        sk__pos(&t, "seed", &l, &c);
        if (sk__parse_seed(y->seed, &e->seed) < 0) {
            rc = sk__err(d, SK_ECONFIG, l, c, "seed", "expected an integer in [0, 18446744073709551615], got '%s'", y->seed);
            goto out;
        }
    } else {
        e->seed = 1;
    }
    if ((sv = sk__set_get(sets, "replications"))) {
        if ((rc = sk_param_parse(&reps_def, sv, &v, why, sizeof why)) < 0) { rc = sk__set_err(d, "replications", sv, "%s", why); goto out; }
        e->replications = v.i;
    } else if (y->replications) {
        sk__pos(&t, "replications", &l, &c);
        if ((rc = sk_param_parse(&reps_def, y->replications, &v, why, sizeof why)) < 0) { rc = sk__err(d, rc, l, c, "replications", "%s", why); goto out; }
        e->replications = v.i;
    } else {
        e->replications = 1;
    }
    const char *out = (sv = sk__set_get(sets, "output")) ? sv : y->output;
    if (out && !*out) {
        if (sv) rc = sk__set_err(d, "output", sv, "expected a file name");
        else { sk__pos(&t, "output", &l, &c); rc = sk__err(d, SK_ECONFIG, l, c, "output", "expected a file name, got an empty string"); }
        goto out;
    }
    if (out) e->output = strdup(out);
    else if ((e->output = malloc(strlen(e->name) + 4))) sprintf(e->output, "%s.h5", e->name);
    if (!e->output) { rc = SK_ENOMEM; goto out; }

    static const sk_param_def series_def = {"series", SK_PT_BOOL, "false", 0, 0, "per-run time series"};
    if ((sv = sk__set_get(sets, "series"))) {
        if ((rc = sk_param_parse(&series_def, sv, &v, why, sizeof why)) < 0) { rc = sk__set_err(d, "series", sv, "%s", why); goto out; }
        e->series = (int)v.i;
    } else if (y->series) { /* libcyaml's BOOL reads any word but a few as true */
        sk__pos(&t, "series", &l, &c);
        if ((rc = sk_param_parse(&series_def, y->series, &v, why, sizeof why)) < 0) { rc = sk__err(d, rc, l, c, "series", "%s", why); goto out; }
        e->series = (int)v.i;
    } else {
        e->series = 0;
    }

    /* scenario parameters */
    if (!(e->sparams = calloc(e->kind->nparams + 1, sizeof *e->sparams))) { rc = SK_ENOMEM; goto out; }
    size_t *sl = calloc(e->kind->nparams + 1, sizeof *sl);
    if (!sl) { rc = SK_ENOMEM; goto out; }
    for (size_t i = 0; i < e->kind->nparams; i++) sl[i] = 1 + i;
    rc = sk__params(e, &t, d, sets, e->kind->params, e->kind->nparams, y->scenario, sl, "scenario", "scenario", e->sparams);
    free(sl);
    if (rc < 0) goto out;

    /* policies */
    const char *pset = sk__set_get(sets, "policies");
    if (e->kind->npolicies == 0) {
        if (y->policies || pset) {
            sk__pos(&t, "policies", &l, &c);
            if (pset) rc = sk__set_err(d, "policies", pset, "scenario kind '%s' takes no policies", e->kind->name);
            else rc = sk__err(d, SK_ECONFIG, l, c, "policies", "scenario kind '%s' takes no policies", e->kind->name);
            goto out;
        }
    } else {
        char *names[256];
        size_t nn = 0;
        char *pcopy = NULL;
        if (pset) {
            if (!(pcopy = strdup(pset))) { rc = SK_ENOMEM; goto out; }
            for (char *save = NULL, *tok = strtok_r(pcopy, ",", &save); tok && nn < 256; tok = strtok_r(NULL, ",", &save)) names[nn++] = tok;
        } else if (y->policies) {
            for (unsigned q = 0; q < y->policies_count && nn < 256; q++) names[nn++] = y->policies[q].name;
        } else {
            names[nn++] = (char *)e->kind->policies[0]->name;
        }
        if (nn == 0 || (y->policies && y->policies_count > 256)) {
            sk__pos(&t, "policies", &l, &c);
            free(pcopy);
            if (pset) rc = sk__set_err(d, "policies", pset, "expected 1 to 256 policy names");
            else rc = sk__err(d, SK_ECONFIG, l, c, "policies", "expected 1 to 256 policies, got %u", y->policies_count);
            goto out;
        }
        if (!(e->pol = calloc(nn, sizeof *e->pol))) { free(pcopy); rc = SK_ENOMEM; goto out; }
        for (size_t q = 0; q < nn && rc == 0; q++) {
            char path[64], base[1100], setbase[1100];
            snprintf(path, sizeof path, "policies[%zu]", q);
            if (!names[q]) {
                sk__pos(&t, path, &l, &c);
                rc = sk__err(d, SK_ECONFIG, l, c, path, "missing: name");
                break;
            }
            const sk_policy_def *pd = sk_scenario_policy(e->kind, names[q]);
            if (!pd) {
                char known[512] = "";
                size_t o = 0;
                for (size_t k = 0; k < e->kind->npolicies && o < sizeof known; k++)
                    o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", k ? ", " : "", e->kind->policies[k]->name);
                snprintf(base, sizeof base, "%s.name", path);
                sk__pos(&t, base, &l, &c);
                if (pset) rc = sk__set_err(d, "policies", pset, "unknown policy '%s' for scenario kind '%s' (known: %s)", names[q], e->kind->name, known);
                else rc = sk__err(d, SK_ECONFIG, l, c, base, "unknown policy '%s' for scenario kind '%s' (known: %s)", names[q], e->kind->name, known);
                break;
            }
            for (size_t k = 0; k < q; k++)
                if (e->pol[k].def == pd) {
                    snprintf(base, sizeof base, "%s.name", path);
                    sk__pos(&t, base, &l, &c);
                    rc = pset ? sk__set_err(d, "policies", pset, "policy '%s' listed twice", pd->name)
                              : sk__err(d, SK_ECONFIG, l, c, base, "policy '%s' listed twice (sweep its parameters instead)", pd->name);
                }
            if (rc < 0) break;
            e->pol[q].def = pd;
            e->npol = q + 1;
            if (!(e->pol[q].params = calloc(pd->nparams + 1, sizeof(sk_value)))) { rc = SK_ENOMEM; break; }
            void **slots = (!pset && y->policies) ? y->policies[q].params : NULL;
            /* params given that this policy does not take */
            if (slots)
                for (size_t j = 0; j < sch.npp && rc == 0; j++)
                    if (slots[j] && sk_param_find(pd->params, pd->nparams, sch.pp_def[j]->name) < 0) {
                        snprintf(base, sizeof base, "%s.params.%s", path, sch.pp_def[j]->name);
                        const sk_ynode *yn = sk__ylook(&t, base);
                        rc = sk__err(d, SK_ECONFIG, yn ? yn->kline : 0, yn ? yn->kcol : 0, base, "not a parameter of policy '%s'", pd->name);
                    }
            if (rc < 0) break;
            size_t slot_of[64];
            for (size_t j = 0; j < pd->nparams && j < 64; j++) {
                size_t m = 0;
                while (m < sch.npp && strcmp(sch.pp_def[m]->name, pd->params[j].name)) m++;
                slot_of[j] = m;
            }
            snprintf(base, sizeof base, "%s.params", path);
            snprintf(setbase, sizeof setbase, "policies.%s", pd->name);
            rc = sk__params(e, &t, d, sets, pd->params, pd->nparams, slots, slot_of, base, setbase, e->pol[q].params);
        }
        free(pcopy);
        if (rc < 0) goto out;
    }

    /* sweep */
    if ((rc = sk__axes_from_tree(e, &t, d)) < 0) goto out;
    if ((rc = sk__axes_from_sets(e, sets, d)) < 0) goto out;
    /* required scenario parameters given only as sweep axes take the axis's first value */
    for (size_t i = 0; i < e->kind->nparams; i++) {
        const sk_param_def *p = &e->kind->params[i];
        if (p->def || ((p->type == SK_PT_STR || p->type == SK_PT_PATH) && e->sparams[i].s)) continue;
        if (p->type != SK_PT_STR && p->type != SK_PT_PATH) continue; /* numbers always have defaults */
        size_t a = 0;
        while (a < e->naxes && !(e->axes[a].pol == NULL && e->axes[a].pidx == (int)i)) a++;
        if (a == e->naxes) {
            sk__pos(&t, "scenario", &l, &c);
            rc = sk__err(d, SK_ECONFIG, l, c, "scenario", "missing: %s (required: %s, %s)", p->name, sk_ptype_expect(p->type), p->help);
            goto out;
        }
        if ((rc = sk_value_copy(&e->sparams[i], &e->axes[a].vals[0], p->type)) < 0) goto out;
    }
    e->npoints = 1;
    for (size_t a = 0; a < e->naxes; a++) {
        if (e->npoints > SK_EXP_MAX_RUNS / e->axes[a].n) {
            sk__pos(&t, "sweep", &l, &c);
            rc = sk__err(d, SK_ECONFIG, l, c, "sweep", "more than %llu sweep points; split the experiment", SK_EXP_MAX_RUNS);
            goto out;
        }
        e->npoints *= e->axes[a].n;
    }
    uint64_t per = (uint64_t)e->replications * (e->npol ? e->npol : 1);
    if (e->npoints > SK_EXP_MAX_RUNS / per) {
        const char *at = sk__ylook(&t, "sweep") ? "sweep" : sk__ylook(&t, "replications") ? "replications" : "policies";
        sk__pos(&t, at, &l, &c);
        rc = sk__err(d, SK_ECONFIG, l, c, at, "%llu sweep points x %zu policies x %lld replications is more than %llu runs; split the experiment",
                     (unsigned long long)e->npoints, e->npol ? e->npol : 1, (long long)e->replications, SK_EXP_MAX_RUNS);
        goto out;
    }
    if (e->naxes && !(e->axis_len = malloc(e->naxes * sizeof *e->axis_len))) { rc = SK_ENOMEM; goto out; }
    for (size_t a = 0; a < e->naxes; a++) e->axis_len[a] = e->axes[a].n;
    sk_plan_init(&e->plan, e->axis_len, e->naxes, e->npol, (uint64_t)e->replications);
    e->nruns = e->plan.nruns;

    /* unknown --set keys */
    for (size_t i = 0; i < sets->n; i++)
        if (!sets->used[i]) {
            const char *eq = strchr(sets->v[i], '=');
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)(eq - sets->v[i]), sets->v[i]);
            rc = sk__set_err(d, key, eq + 1, "unknown key '%s' (keys: name, seed, replications, output, series, scenario.kind, scenario.PARAM, policies, policies.NAME.PARAM, sweep.KEY)", key);
            goto out;
        }

    /* cross-parameter and data checks, for every sweep point (the first SK_EXP_MAX_CHECKS) */
    if (e->kind->check || e->kind->check_data) {
        sk_run_scratch sc;
        if ((rc = sk_run_scratch_init(&sc, e)) < 0) goto out;
        if (e->kind->check_data && !(e->shared = e->kind->shared_new())) {
            sk_run_scratch_fini(&sc);
            rc = SK_ENOMEM;
            goto out;
        }
        uint64_t npts = e->npoints < SK_EXP_MAX_CHECKS ? e->npoints : SK_EXP_MAX_CHECKS;
        uint64_t Q = e->npol ? e->npol : 1;
        for (uint64_t p = 0; p < npts * Q && rc == 0; p++) {
            sk_run_spec spec;
            sk_exp_run_at(e, sk_plan_index(&e->plan, p / Q, p % Q, 0), &sc, &spec);
            int bad = -1;
            const sk_policy_def *pd = e->npol ? e->pol[spec.policy].def : NULL;
            if (e->kind->check) rc = e->kind->check(spec.sparams, pd, spec.pparams, &bad, why, sizeof why);
            if (rc == 0 && e->kind->check_data && p % Q == 0) /* scenario data: once per point */
                rc = e->kind->check_data(e->shared, spec.sparams, e->file, &bad, why, sizeof why);
            if (rc == SK_ENOMEM) break;
            if (rc < 0) {
                char path[1300];
                if (bad >= 0) sk__check_pos(e, &t, (size_t)bad, spec.point, path, sizeof path, &l, &c);
                else if (pd) snprintf(path, sizeof path, "policies[%zu]", spec.policy), sk__pos(&t, path, &l, &c);
                else sk__pos(&t, "scenario", &l, &c);
                /* " (at sweep point K=V, ...)"; long values (strings) can fill it: then it ends
                 * in "...)" (snprintf returns the untruncated length, so o is kept in bounds) */
                char at[600] = "";
                size_t o = 0;
                for (size_t a = 0; a < e->naxes && o + 1 < sizeof at; a++) {
                    int k = snprintf(at + o, sizeof at - o, "%s%s=", a ? ", " : " (at sweep point ", e->axes[a].key);
                    if (k < 0 || (size_t)k >= sizeof at - o) {
                        o = sizeof at - 1;
                        break;
                    }
                    o += (size_t)k;
                    FILE *mf = fmemopen(at + o, sizeof at - o, "w");
                    if (mf) {
                        sk_value_print(mf, &e->axes[a].vals[sk_plan_axis_at(&e->plan, spec.point, a)], e->axes[a].def->type);
                        fclose(mf);
                        o = strlen(at);
                    }
                }
                if (e->naxes && o + 1 < sizeof at) snprintf(at + o, sizeof at - o, ")");
                else if (e->naxes) memcpy(at + sizeof at - 5, "...)", 5);
                rc = sk__err(d, rc, l, c, bad >= 0 || pd ? path : "scenario", "%s%s", why, at);
            }
        }
        sk_run_scratch_fini(&sc);
        if (rc < 0) goto out;
    }
    rc = sk__resolve_text(e);

out:
    if (y) cyaml_free(&cfg, &sch.top, y, 0);
    if (have_schema) sk__schema_fini(&sch);
    sk__ytree_fini(&t);
    return rc;
}

int sk_exp_load_text(sk_exp *e, const char *path, const char *text, size_t len, const char *const *sets,
                     size_t nsets, char *err, size_t errlen) {
    memset(e, 0, sizeof *e);
    sk_diag d = {.file = path, .buf = err, .len = errlen};
    if (err && errlen) err[0] = 0;
    sk_sets s = {.v = sets, .n = nsets, .used = calloc(nsets + 1, 1)};
    if (!s.used) return SK_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < nsets; i++)
        if (!strchr(sets[i], '=') || sets[i][0] == '=') { /* a command line error, not a config one */
            if (err && errlen) snprintf(err, errlen, "--set %s: expected KEY.PATH=VALUE", sets[i]), sk__oneline(err);
            d.set = 1;
            rc = SK_EUSAGE;
            break;
        }
    if (rc == 0 && !(e->file = strdup(path))) rc = SK_ENOMEM;
    if (rc == 0) rc = sk__load(e, &d, text, len, &s);
    free(s.used);
    if (rc < 0) {
        if (rc == SK_ENOMEM && !d.set) sk__err(&d, rc, 0, 0, NULL, "out of memory");
        if (!d.set) sk__err(&d, rc, 0, 0, NULL, "%s", sk_strerror(rc));
        sk_exp_fini(e);
    }
    return rc;
}

int sk_exp_load(sk_exp *e, const char *path, const char *const *sets, size_t nsets, char *err, size_t errlen) {
    memset(e, 0, sizeof *e);
    sk_diag d = {.file = path, .buf = err, .len = errlen};
    FILE *f = fopen(path, "rb");
    if (!f) return sk__err(&d, errno == ENOENT ? SK_ENOINPUT : SK_ENOINPUT, 0, 0, NULL, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= SK_EXP_MAX_FILE) { rc = sk__err(&d, SK_ECONFIG, 0, 0, NULL, "larger than %u MiB; not an experiment file?", SK_EXP_MAX_FILE >> 20); break; }
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, cap + 1);
            if (!nb) { rc = SK_ENOMEM; break; }
            buf = nb;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0) {
            if (ferror(f)) rc = sk__err(&d, SK_ENOINPUT, 0, 0, NULL, "read error: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc == 0) rc = sk_exp_load_text(e, path, buf ? buf : "", len, sets, nsets, err, errlen);
    free(buf);
    return rc;
}

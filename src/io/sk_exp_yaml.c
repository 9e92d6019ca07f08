/* sk_exp_yaml.c - experiment files, passes 0 and 1: libyaml reads the text (syntax, encoding,
 * anchors, duplicate keys) into a tree with the key path and position of every node, and the
 * one-line "FILE:LINE:COL: KEY.PATH: message" diagnostics every pass reports through. */
#include "io/sk_exp_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

/* ---- diagnostics ----------------------------------------------------------------------------- */

/* Messages are one line: control characters (from quoted keys and values, which messages echo)
 * become '?'. */
void sk_exp__oneline(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

/* Append the formatted message after the n bytes of prefix already in d->buf; make it one line. */
void sk_exp__vfinish(sk_diag *d, int n, const char *fmt, va_list ap) {
    if (n >= 0 && (size_t)n < d->len) vsnprintf(d->buf + n, d->len - (size_t)n, fmt, ap);
    sk_exp__oneline(d->buf);
}

/* Store "FILE:LINE:COL: PATH: message" (LINE 0: no position; PATH NULL: none). First one wins.
 * Returns code. */
int sk_exp__err(sk_diag *d, int code, int line, int col, const char *path, const char *fmt, ...) {
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
    sk_exp__vfinish(d, n, fmt, ap);
    va_end(ap);
    return code;
}

/* ---- pass 1: libyaml tree and a path index --------------------------------------------------- */

void sk_exp__ytree_fini(sk_ytree *t) {
    for (size_t i = 0; i < t->n; i++) free(t->v[i].path);
    free(t->v);
    free(t->seen);
    if (t->loaded) yaml_document_delete(&t->doc);
    memset(t, 0, sizeof *t);
}

const sk_ynode *sk_exp__ylook(const sk_ytree *t, const char *path) {
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].path, path)) return &t->v[i];
    return NULL;
}

const char *sk_exp__ykind(const yaml_node_t *n) {
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
        return sk_exp__err(d, SK_ECONFIG, (int)node->start_mark.line + 1, (int)node->start_mark.column + 1, path,
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
        return sk_exp__err(d, SK_ECONFIG, (int)node->start_mark.line + 1, (int)node->start_mark.column + 1, NULL,
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
                rc = sk_exp__err(d, SK_ECONFIG, l, c, path, "keys must be plain words, got %s", sk_exp__ykind(k));
                break;
            }
            const char *ks = (const char *)k->data.scalar.value;
            if (strlen(ks) > 1000) {
                rc = sk_exp__err(d, SK_ECONFIG, l, c, path, "key longer than 1000 bytes");
                break;
            }
            snprintf(sub, plen + 64 + 1024, "%s%s%s", path, *path ? "." : "", ks);
            if (dup[j]) {
                rc = sk_exp__err(d, SK_ECONFIG, l, c, sub, "key given twice");
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
        return sk_exp__err(d, SK_EDATA, l, c, path, "%s (byte 0x%02x at offset %zu): the file must be UTF-8 text",
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
    return sk_exp__err(d, SK_EDATA, l, c, path, "YAML syntax error: %s%s%s", p->problem ? p->problem : "unknown", ctx, tab);
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
            rc = sk_exp__err(d, SK_ECONFIG, l, c, s.path, "alias *%s: anchors and aliases are not supported; write the value out",
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
                rc = sk_exp__err(d, SK_ECONFIG, l, c, s.path, "nested deeper than %d levels; not an experiment file?", SK_EXP_MAX_DEPTH);
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
            rc = sk_exp__err(d, SK_ECONFIG, l, c, s.path, "anchor &%s: anchors and aliases are not supported; write the value out",
                         anchor);
        yaml_event_delete(&ev);
    }
    free(s.path);
    yaml_parser_delete(&p);
    return rc;
}

int sk_exp__ytree_load(sk_ytree *t, sk_diag *d, const char *text, size_t len) {
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
        return sk_exp__err(d, SK_EDATA, l, c, NULL, "NUL byte in the file (not a text file?)");
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
        return sk_exp__err(d, SK_ECONFIG, 1, 1, NULL, "empty file: expected a mapping with name, scenario, ...");
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
    if (more) return sk_exp__err(d, SK_ECONFIG, ml, 1, NULL, "a second YAML document; an experiment file holds one");
    size_t nnodes = (size_t)(t->doc.nodes.top - t->doc.nodes.start);
    if (nnodes > SK_EXP_MAX_NODES)
        return sk_exp__err(d, SK_ECONFIG, 1, 1, NULL, "%zu YAML nodes; at most %d", nnodes, SK_EXP_MAX_NODES);
    if (!(t->seen = calloc(nnodes + 1, 1))) return SK_ENOMEM;
    if (root->type != YAML_MAPPING_NODE)
        return sk_exp__err(d, SK_ECONFIG, (int)root->start_mark.line + 1, (int)root->start_mark.column + 1, NULL,
                       "expected a mapping (name: ..., scenario: ...), got %s", sk_exp__ykind(root));
    return sk__ywalk(t, d, root, "", 1, 1);
}

/* ---- positions ------------------------------------------------------------------------------ */

int sk_exp__pos(const sk_ytree *t, const char *path, int *l, int *c) {
    const sk_ynode *n = sk_exp__ylook(t, path);
    *l = n ? n->vline : 0;
    *c = n ? n->vcol : 0;
    return n != NULL;
}

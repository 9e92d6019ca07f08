/* mr_up_probe.c - UP(A), Uniform Progress with availability probing
 * (../shared/specs/skynomad-multiregion.md 4.3): rank zones by the share of successful spot
 * launches and probes among their last `probe_window` samples; keep a running spot unless it
 * ranks below the best; probe one due zone per tick in the background (the least sampled first). */
#include <math.h>
#include <stdlib.h>

#include "policies/mr_common.h"
#include "sk_error.h"

enum { PP_WINDOW, PP_INTERVAL, PP_N };
static const sk_param_def sk_upa_params[PP_N] = {
    [PP_WINDOW] = {"probe_window", SK_PT_INT, "5", 1, 1000, "samples kept per zone"},
    [PP_INTERVAL] = {"probe_interval_min", SK_PT_FLOAT, "120", 0, 1e6, "minutes between samples of one zone"},
};

typedef struct {
    int n, win, I, main;
    uint8_t *hist;   /* n x win ring buffers */
    int *hlen, *hpos, *hsum;
    int64_t *next_probe, *next_sample;
    double *ratio; /* per zone, as of the last ranking */
    int *rank;
} sk_upa;

static int sk_upa_init(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    sk_upa *s = st;
    s->n = v0->nzones;
    s->win = (int)pp[PP_WINDOW].i;
    s->I = sk_mr_interval_ticks(pp[PP_INTERVAL].f, v0->gap);
    s->main = -1;
    size_t n = (size_t)s->n;
    s->hist = calloc(n * (size_t)s->win, 1);
    s->hlen = calloc(n, sizeof *s->hlen);
    s->hpos = calloc(n, sizeof *s->hpos);
    s->hsum = calloc(n, sizeof *s->hsum);
    s->next_probe = calloc(n, sizeof *s->next_probe);
    s->next_sample = calloc(n, sizeof *s->next_sample);
    s->ratio = calloc(n, sizeof *s->ratio);
    s->rank = calloc(n, sizeof *s->rank);
    if (!s->hist || !s->hlen || !s->hpos || !s->hsum || !s->next_probe || !s->next_sample || !s->ratio || !s->rank) {
        snprintf(msg, len, "out of memory");
        return SK_ENOMEM;
    }
    return 0;
}

static void sk_upa_fini(void *st) {
    sk_upa *s = st;
    free(s->hist), free(s->hlen), free(s->hpos), free(s->hsum), free(s->next_probe), free(s->next_sample), free(s->ratio), free(s->rank);
}

static void sk__push(sk_upa *s, int r, int ok) {
    uint8_t *h = s->hist + (size_t)r * (size_t)s->win;
    if (s->hlen[r] == s->win) s->hsum[r] -= h[s->hpos[r]]; /* the oldest leaves */
    else s->hlen[r]++;
    h[s->hpos[r]] = (uint8_t)(ok != 0);
    s->hsum[r] += ok != 0;
    s->hpos[r] = (s->hpos[r] + 1) % s->win;
}

static double sk__ratio(const sk_upa *s, int r) { return s->hlen[r] ? (double)s->hsum[r] / (double)s->hlen[r] : 0.5; }

static void sk__ranking(sk_upa *s) {
    for (int r = 0; r < s->n; r++) s->ratio[r] = sk__ratio(s, r);
    sk_mr_rank(s->rank, s->ratio, s->n);
}

static void sk_upa_decide(void *st, const sk_view *v, const sk_actor *a) {
    sk_upa *s = st;
    int64_t k = v->tick;
    if (s->main >= 0 && !sk_mr_has(v, s->main, SK_MKT_SPOT)) sk__push(s, s->main, 0), s->main = -1;
    int cm = s->main;
    if (cm < 0 && (cm = sk_mr_zone_of(v, SK_MKT_SPOT)) >= 0) s->main = cm;
    if (cm >= 0 && k >= s->next_sample[cm]) sk__push(s, cm, 1), s->next_sample[cm] = k + s->I;
    sk_mrq q = sk_mrq_of(v);
    if (q.rem <= 1e-3) {
        sk_mr_terminate_all(v, a);
        s->main = -1;
        return;
    }
    int cr = sk_mr_zone_of(v, SK_MKT_NONE);
    sk_market cur = cr >= 0 ? v->inst[0].market : SK_MKT_NONE;
    int hx;
    sk_market p = sk_mr_updec(&q, cur, 1, &hx);
    if (p == SK_MKT_SPOT) {
        sk__ranking(s);
        if (cur == SK_MKT_OD) sk_mr_terminate_zone(v, a, cr), cur = SK_MKT_NONE, cr = -1, s->main = -1;
        if (cur == SK_MKT_SPOT) {
            if (cr == s->rank[0] || sk__ratio(s, cr) >= sk__ratio(s, s->rank[0]) - 1e-6) s->main = cr;
            else sk_mr_terminate_zone(v, a, cr), s->main = -1, cur = SK_MKT_NONE, cr = -1;
        }
        if (cur != SK_MKT_SPOT) {
            int ok = 0;
            for (int i = 0; i < s->n && !ok; i++) {
                int r = s->rank[i];
                if (sk_mr_has(v, r, SK_MKT_SPOT)) continue;
                ok = a->launch(a->w, r, SK_MKT_SPOT);
                sk__push(s, r, ok);
                if (ok) s->main = r, s->next_sample[r] = k + s->I;
            }
            if (!ok) {
                if (hx) return;
                if (sk_mr_updec(&q, SK_MKT_NONE, 0, NULL) == SK_MKT_OD) {
                    a->launch(a->w, sk_mr_fallback(v, cr), SK_MKT_OD);
                    s->main = -1;
                }
                return;
            }
        }
    } else {
        sk_mr_up_nonspot(v, a, p, cur, cr, sk_mr_fallback(v, cr));
        s->main = -1;
        return;
    }
    /* one background probe: the due zone with the fewest samples, then the lowest index */
    int best = -1;
    for (int r = 0; r < s->n; r++) {
        if (r == s->main || sk_mr_has(v, r, SK_MKT_SPOT) || k < s->next_probe[r]) continue;
        if (best < 0 || s->hlen[r] < s->hlen[best]) best = r;
    }
    if (best >= 0) {
        int ok = a->probe(a->w, best);
        sk__push(s, best, ok);
        s->next_probe[best] = k + s->I;
    }
}

const sk_gpolicy sk_pol_mr_up_probe = {
    .def = {"up_probe", sk_upa_params, PP_N,
            "UP(A): Uniform Progress ranking zones by recent spot availability, probing one due zone per tick"},
    .state_size = sizeof(sk_upa),
    .init = sk_upa_init,
    .decide = sk_upa_decide,
    .fini = sk_upa_fini,
};

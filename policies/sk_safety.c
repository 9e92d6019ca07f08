/* sk_safety.c - the shared deadline safety net (sk_safety.h). */
#include "policies/sk_safety.h"

#include <math.h>

#include "sk_error.h"

int sk_safety_mr_zone(const sk_view *v) {
    const sk_job_info *j = &v->jobs[0];
    double rem = j->work - j->progress;
    int best = 0, from = j->ckpt_zone;
    double bestc = 0;
    for (int r = 0; r < v->nzones; r++) {
        double tr = (from < 0 || from == r) ? 0.0 : v->egress_usd[(size_t)from * (size_t)v->nzones + (size_t)r];
        double c = v->zones[r].od_price * rem / 3600.0 + tr;
        if (r == 0 || c < bestc) best = r, bestc = c;
    }
    return best;
}

static void sk__terminate_all_but(const sk_view *v, const sk_actor *a, int zone, sk_market keep) {
    int64_t ids[8];
    int n = 0;
    for (int i = 0; i < v->ninst && n < 8; i++)
        if (!(v->inst[i].zone == zone && v->inst[i].market == keep)) ids[n++] = v->inst[i].id;
    for (int i = 0; i < n; i++) a->terminate(a->w, ids[i]);
}

int sk_safety_mr(sk_safety *s, const sk_view *v, const sk_actor *a) {
    const sk_job_info *j = &v->jobs[0];
    double rem = j->work - j->progress;
    if (rem <= 1e-3) return 0;
    double rt = floor((j->deadline - (double)v->tick * v->gap) / v->gap) * v->gap;
    if (rt < rem) return SK_EDATA;
    double needed = ceil((rem + j->changeover) / v->gap) * v->gap;
    if (s->latched) {
        if (v->ninst == 1) return 1;
        if (v->ninst == 0) {
            a->launch(a->w, sk_safety_mr_zone(v), SK_MKT_OD);
            return 1;
        }
    }
    if (needed >= rt) {
        if (!v->ninst) {
            a->launch(a->w, sk_safety_mr_zone(v), SK_MKT_OD);
        } else {
            int tr = v->inst[0].zone;
            sk__terminate_all_but(v, a, tr, SK_MKT_OD);
            a->launch(a->w, tr, SK_MKT_OD); /* a no-op when (tr, OD) runs already */
        }
        s->latched = 1;
        return 1;
    }
    return s->latched ? 1 : 0;
}

sk_market sk_safety_cbl(const sk_view *v, sk_market last, sk_market D) {
    const sk_job_info *j = &v->jobs[0];
    double rem = j->work - j->progress;
    double rt = floor((j->deadline - v->t) / v->gap) * v->gap;
    double need1 = ceil((rem + j->changeover) / v->gap) * v->gap;
    int crit = rem > 1e-3 && need1 >= rt;
    if (crit) D = (last == SK_MKT_SPOT && j->overhead_left < 1e-3) ? SK_MKT_SPOT : SK_MKT_OD;
    if (D == SK_MKT_SPOT && v->zones[0].spot_avail <= 0) D = crit ? SK_MKT_OD : SK_MKT_NONE;
    return D;
}

/* sk_cache.c - see sk_cache.h. One OpenMP lock (the runner's threads) around a list: kinds cache
 * a handful of items, so a linear search is enough. */
#include "sim/sk_cache.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sk_cache {
    omp_lock_t lock;
    sk_cache_load_fn load;
    sk_cache_drop_fn drop;
    sk_cache_item *head;
};

sk_cache *sk_cache_new(sk_cache_load_fn load, sk_cache_drop_fn drop) {
    sk_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    omp_init_lock(&c->lock);
    c->load = load, c->drop = drop;
    return c;
}

const sk_cache_item *sk_cache_get(sk_cache *c, int kind, const char *key, const char *exp_file) {
    omp_set_lock(&c->lock);
    sk_cache_item *it = c->head;
    while (it && (it->kind != kind || strcmp(it->key, key))) it = it->next;
    if (!it && (it = calloc(1, sizeof *it))) {
        it->kind = kind;
        snprintf(it->key, sizeof it->key, "%s", key);
        it->rc = c->load(it, exp_file);
        it->next = c->head, c->head = it;
    }
    omp_unset_lock(&c->lock);
    return it;
}

void sk_cache_free(sk_cache *c) {
    if (!c) return;
    for (sk_cache_item *e = c->head, *n; e; e = n) {
        n = e->next;
        c->drop(e);
        free(e);
    }
    omp_destroy_lock(&c->lock);
    free(c);
}

/* sk_cache.h - the data a scenario kind loads once per experiment and shares between its runs
 * (catalogs, traces, job files, performance profiles): items keyed by (kind, key), loaded on first
 * use under one lock by the kind's load function, kept with their error if loading failed, freed
 * with the cache. The `shared_new` / `shared_free` hooks of core/sk_scenario.h hold one. */
#ifndef SK_CACHE_H
#define SK_CACHE_H

#include <stddef.h>

typedef struct sk_cache_item {
    int kind;       /* the kind's own numbering of what it caches */
    char key[1024]; /* a path, a name, or several joined */
    int rc;         /* the load's result: 0 or an SK_E* code */
    char err[600];  /* its message when rc < 0 */
    void *data;     /* what the load made (NULL or partial on error: freed all the same) */
    struct sk_cache_item *next;
} sk_cache_item;

/* load: fill it->data (and it->err on error) for it->kind / it->key; returns 0 or SK_E*.
 * drop: free it->data (called for every item, loaded or not, data may be NULL). */
typedef int (*sk_cache_load_fn)(sk_cache_item *it, const char *exp_file);
typedef void (*sk_cache_drop_fn)(sk_cache_item *it);

typedef struct sk_cache sk_cache;

/* A new empty cache (NULL when out of memory). */
sk_cache *sk_cache_new(sk_cache_load_fn load, sk_cache_drop_fn drop);
/* The item (kind, key), loaded now if it is not yet (thread-safe); NULL only when out of memory.
 * Read its rc, err and data; the cache keeps it until sk_cache_free. */
const sk_cache_item *sk_cache_get(sk_cache *c, int kind, const char *key, const char *exp_file);
void sk_cache_free(sk_cache *c); /* NULL is fine */

#endif

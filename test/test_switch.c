/*
** test_switch.c — switches: on/off, hooks exactly once, hierarchy, races.
**
** Worker threads never call cr_assert (Criterion aborts by longjmp); they
** count anomalies in atomics that the main thread asserts on.
*/
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "switch.h"
#include "testutil.h"

/* TSan + Criterion: see the rand_r note in testutil.c. */

/* ---- helpers ----------------------------------------------------------- */

static void hook_count(void *data) { atomic_fetch_add((atomic_int *)data, 1); }

typedef struct {
  atomic_int pos;
  int order[64];
} order_log;

typedef struct {
  order_log *log;
  int tag;
} order_hook;

static void hook_order(void *data) {
  order_hook *h = data;
  int i = atomic_fetch_add(&h->log->pos, 1);
  if (i < 64) h->log->order[i] = h->tag;
}

/* ---- basics ------------------------------------------------------------ */

Test(switch, basic_on_off) {
  sw_switch *sw = sw_create(NULL);
  cr_assert_not_null(sw);
  cr_assert(sw_is_on(sw));
  cr_assert_eq(*sw_cancel_flag(sw), 0);
  cr_assert(sw_turn_off(sw), "first turn_off does the work");
  cr_assert_not(sw_is_on(sw));
  cr_assert_neq(__atomic_load_n(sw_cancel_flag(sw), __ATOMIC_SEQ_CST), 0);
  cr_assert_not(sw_turn_off(sw), "second turn_off is a no-op");
  cr_assert_not(sw_is_on(sw));
  sw_release(sw);

  cr_assert(sw_is_on(NULL));
  cr_assert_eq(*sw_cancel_flag(NULL), 0);
  cr_assert_not(sw_turn_off(NULL));
  sw_release(NULL);
  cr_assert_null(sw_retain(NULL));
}

Test(switch, retain_release) {
  atomic_int ran = 0;
  sw_switch *sw = sw_create(NULL);
  cr_assert_gt(sw_on_turn_off(sw, hook_count, &ran), 0);
  cr_assert_eq(sw_retain(sw), sw);
  sw_release(sw);
  cr_assert(sw_is_on(sw), "still referenced: still on");
  cr_assert_eq(atomic_load(&ran), 0);
  sw_release(sw); /* last reference of a live switch: hooks run once */
  cr_assert_eq(atomic_load(&ran), 1);
}

Test(switch, hooks_in_order_and_once) {
  order_log log = {0};
  order_hook hs[5];
  sw_switch *sw = sw_create(NULL);
  for (int i = 0; i < 5; i++) {
    hs[i] = (order_hook){&log, i};
    cr_assert_eq(sw_on_turn_off(sw, hook_order, &hs[i]), (int64_t)(i + 1), "ids start at 1");
  }
  cr_assert_eq(atomic_load(&log.pos), 0, "no hook before turn-off");
  sw_turn_off(sw);
  cr_assert_eq(atomic_load(&log.pos), 5);
  for (int i = 0; i < 5; i++) cr_assert_eq(log.order[i], i);
  sw_turn_off(sw);
  cr_assert_eq(atomic_load(&log.pos), 5, "hooks never run twice");
  sw_release(sw);
  cr_assert_eq(atomic_load(&log.pos), 5, "nor at release");
}

Test(switch, hook_after_off_runs_immediately) {
  atomic_int ran = 0;
  sw_switch *sw = sw_create(NULL);
  sw_turn_off(sw);
  cr_assert_eq(sw_on_turn_off(sw, hook_count, &ran), 0);
  cr_assert_eq(atomic_load(&ran), 1, "ran on this thread before returning");
  sw_release(sw);
  cr_assert_eq(atomic_load(&ran), 1);
}

Test(switch, remove_hook) {
  atomic_int a = 0, b = 0;
  sw_switch *sw = sw_create(NULL);
  int64_t ia = sw_on_turn_off(sw, hook_count, &a);
  int64_t ib = sw_on_turn_off(sw, hook_count, &b);
  cr_assert_gt(ia, 0);
  cr_assert_gt(ib, ia);
  cr_assert(sw_remove_hook(sw, ia));
  cr_assert_not(sw_remove_hook(sw, ia), "already removed");
  cr_assert_not(sw_remove_hook(sw, 12345), "unknown id");
  cr_assert_not(sw_remove_hook(sw, 0));
  sw_turn_off(sw);
  cr_assert_eq(atomic_load(&a), 0);
  cr_assert_eq(atomic_load(&b), 1);
  cr_assert_not(sw_remove_hook(sw, ib), "already ran");
  sw_release(sw);
}

/* A hook may drop the last outside reference to its own switch. */
static void hook_release_self(void *data) { sw_release(data); }

Test(switch, hook_releases_own_switch) {
  atomic_int ran = 0;
  sw_switch *sw = sw_create(NULL);
  sw_on_turn_off(sw, hook_release_self, sw); /* the hook owns our reference */
  sw_on_turn_off(sw, hook_count, &ran);      /* runs after the release */
  cr_assert(sw_turn_off(sw));
  cr_assert_eq(atomic_load(&ran), 1);
  /* sw is freed now; ASan reports any use after free above. */
}

static void hook_turn_off_other(void *data) { sw_turn_off(data); }

Test(switch, hook_turns_off_another_switch) {
  atomic_int ran = 0;
  sw_switch *a = sw_create(NULL), *b = sw_create(NULL);
  sw_on_turn_off(a, hook_turn_off_other, b);
  sw_on_turn_off(b, hook_count, &ran);
  sw_on_turn_off(b, hook_turn_off_other, a); /* cycle back: a is already off */
  sw_turn_off(a);
  cr_assert_not(sw_is_on(b));
  cr_assert_eq(atomic_load(&ran), 1);
  sw_release(a);
  sw_release(b);
}

/* ---- hierarchy --------------------------------------------------------- */

Test(switch, parent_turns_off_descendants) {
  order_log log = {0};
  order_hook hp = {&log, 0}, hc = {&log, 1}, hg = {&log, 2};
  sw_switch *p = sw_create(NULL);
  sw_switch *c = sw_create(p);
  sw_switch *g = sw_create(c);
  sw_switch *c2 = sw_create(p);
  sw_on_turn_off(g, hook_order, &hg);
  sw_on_turn_off(c, hook_order, &hc);
  sw_on_turn_off(p, hook_order, &hp);

  /* Turning a child off leaves the parent on. */
  cr_assert(sw_turn_off(c2));
  cr_assert(sw_is_on(p));

  cr_assert(sw_turn_off(p));
  cr_assert_not(sw_is_on(c));
  cr_assert_not(sw_is_on(g));
  cr_assert_neq(*sw_cancel_flag(g), 0, "grandchild flag reads off");
  cr_assert_eq(atomic_load(&log.pos), 3);
  cr_assert_eq(log.order[0], 0, "parent hooks first");
  cr_assert_eq(log.order[1], 1, "then the child's");
  cr_assert_eq(log.order[2], 2, "then the grandchild's");
  cr_assert_not(sw_turn_off(c), "already off through the parent");

  /* Release in an arbitrary order: children keep their parent alive. */
  sw_release(p);
  sw_release(c2);
  sw_release(c);
  sw_release(g);
}

Test(switch, child_of_off_parent_is_off) {
  atomic_int ran = 0;
  sw_switch *p = sw_create(NULL);
  sw_turn_off(p);
  sw_switch *c = sw_create(p);
  cr_assert_not_null(c);
  cr_assert_not(sw_is_on(c));
  cr_assert_neq(*sw_cancel_flag(c), 0);
  cr_assert_eq(sw_on_turn_off(c, hook_count, &ran), 0);
  cr_assert_eq(atomic_load(&ran), 1);
  sw_switch *g = sw_create(c);
  cr_assert_not(sw_is_on(g));
  sw_release(p);
  sw_release(c);
  sw_release(g);
}

Test(switch, released_child_is_unlinked) {
  atomic_int ran = 0;
  sw_switch *p = sw_create(NULL);
  for (int i = 0; i < 100; i++) {
    sw_switch *c = sw_create(p);
    sw_on_turn_off(c, hook_count, &ran);
    sw_release(c); /* turns c off (its hook runs) and unlinks it */
  }
  cr_assert_eq(atomic_load(&ran), 100);
  cr_assert(sw_is_on(p), "a child's death does not affect the parent");
  sw_turn_off(p); /* must not touch the freed children */
  cr_assert_eq(atomic_load(&ran), 100);
  sw_release(p);
}

/* Deep trees are handled without recursion, both when turning off and when
** releasing a chain in which each child holds the last reference to its
** parent. */
Test(switch, deep_chain) {
  enum { DEPTH = 200000 };
  atomic_int ran = 0;
  sw_switch *root = sw_create(NULL);
  sw_switch *cur = sw_retain(root);
  for (int i = 0; i < DEPTH; i++) {
    sw_switch *next = sw_create(cur);
    cr_assert_not_null(next);
    sw_release(cur); /* next holds cur */
    cur = next;
  }
  sw_on_turn_off(cur, hook_count, &ran);
  cr_assert(sw_turn_off(root));
  cr_assert_not(sw_is_on(cur));
  cr_assert_eq(atomic_load(&ran), 1);
  sw_release(root);
  sw_release(cur); /* frees DEPTH + 1 switches */
}

/* ---- races ------------------------------------------------------------- */

typedef struct {
  sw_switch *sw;
  pthread_barrier_t *start;
  atomic_int *wins;
} racer_arg;

static void *racer_turn_off(void *arg) {
  racer_arg *a = arg;
  pthread_barrier_wait(a->start);
  if (sw_turn_off(a->sw)) atomic_fetch_add(a->wins, 1);
  return NULL;
}

Test(switch, racing_turn_off_runs_hooks_once, .timeout = 60) {
  enum { THREADS = 6, ROUNDS = 200, HOOKS = 8 };
  for (int round = 0; round < ROUNDS; round++) {
    atomic_int wins = 0;
    atomic_int counts[HOOKS];
    order_log log = {0};
    order_hook oh[HOOKS];
    sw_switch *sw = sw_create(NULL);
    for (int h = 0; h < HOOKS; h++) {
      atomic_init(&counts[h], 0);
      oh[h] = (order_hook){&log, h};
      sw_on_turn_off(sw, hook_count, &counts[h]);
      sw_on_turn_off(sw, hook_order, &oh[h]);
    }
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    pthread_t th[THREADS];
    racer_arg ra = {sw, &start, &wins};
    for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, racer_turn_off, &ra);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);

    cr_assert_eq(atomic_load(&wins), 1, "round %d: exactly one winner", round);
    for (int h = 0; h < HOOKS; h++)
      cr_assert_eq(atomic_load(&counts[h]), 1, "round %d: hook %d ran once", round, h);
    cr_assert_eq(atomic_load(&log.pos), HOOKS);
    for (int h = 0; h < HOOKS; h++) cr_assert_eq(log.order[h], h, "registration order");
    sw_release(sw);
  }
}

/* Two long-lived threads meet at a barrier each round: one turns the
** switch off, the other removes the hook. Exactly one must "win". */
typedef struct {
  pthread_barrier_t go, done;
  sw_switch *sw; /* written by main between rounds */
  int64_t id;
  bool removed;
  int rounds;
} rm_race;

static void *rm_turner(void *arg) {
  rm_race *r = arg;
  for (int i = 0; i < r->rounds; i++) {
    pthread_barrier_wait(&r->go);
    sw_turn_off(r->sw);
    pthread_barrier_wait(&r->done);
  }
  return NULL;
}

static void *rm_remover(void *arg) {
  rm_race *r = arg;
  for (int i = 0; i < r->rounds; i++) {
    pthread_barrier_wait(&r->go);
    r->removed = sw_remove_hook(r->sw, r->id);
    pthread_barrier_wait(&r->done);
  }
  return NULL;
}

Test(switch, remove_hook_vs_turn_off, .timeout = 60) {
  enum { ROUNDS = 3000 };
  rm_race r = {.rounds = ROUNDS};
  pthread_barrier_init(&r.go, NULL, 3);
  pthread_barrier_init(&r.done, NULL, 3);
  pthread_t t1, t2;
  pthread_create(&t1, NULL, rm_turner, &r);
  pthread_create(&t2, NULL, rm_remover, &r);
  int removed_total = 0, ran_total = 0;
  for (int i = 0; i < ROUNDS; i++) {
    atomic_int ran = 0;
    r.sw = sw_create(NULL);
    r.id = sw_on_turn_off(r.sw, hook_count, &ran);
    cr_assert_gt(r.id, 0);
    r.removed = false;
    pthread_barrier_wait(&r.go);
    pthread_barrier_wait(&r.done);
    int n = atomic_load(&ran);
    cr_assert_eq(n + (r.removed ? 1 : 0), 1, "round %d: ran=%d removed=%d", i, n, r.removed);
    removed_total += r.removed;
    ran_total += n;
    sw_release(r.sw);
    cr_assert_eq(atomic_load(&ran), n, "release does not run a removed hook");
  }
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  pthread_barrier_destroy(&r.go);
  pthread_barrier_destroy(&r.done);
  cr_assert_eq(removed_total + ran_total, ROUNDS);
}

/* Many threads create children (and grandchildren) of a parent, poll them,
** register hooks, keep some, release others, while another thread turns the
** parent off. Checks: a child created after the parent was seen off is off;
** every kept descendant is off once the turn-off returned; every hook ran
** exactly once. ASan/TSan check the unlink-vs-walk protocol. */
enum { CHURN_THREADS = 4, CHURN_KEEP = 64 };

typedef struct {
  sw_switch *parent;
  atomic_int *stop; /* set after the parent was turned off */
  atomic_int *hooks_registered, *hooks_ran, *anomalies;
  sw_switch *kept[CHURN_KEEP];
  int nkept;
  uint64_t seed;
} churn_arg;

static void *churn(void *arg) {
  churn_arg *a = arg;
  tu_rng rng;
  tu_rng_seed(&rng, a->seed);
  int after_stop = 0;
  while (after_stop < 50) {
    if (atomic_load(a->stop)) after_stop++;
    bool parent_was_off = !sw_is_on(a->parent);
    sw_switch *c = sw_create(a->parent);
    if (!c) continue;
    if (parent_was_off && sw_is_on(c)) atomic_fetch_add(a->anomalies, 1);
    atomic_fetch_add(a->hooks_registered, 1);
    sw_on_turn_off(c, hook_count, a->hooks_ran);
    sw_switch *g = NULL;
    if (tu_rng_below(&rng, 2)) {
      g = sw_create(c);
      atomic_fetch_add(a->hooks_registered, 1);
      sw_on_turn_off(g, hook_count, a->hooks_ran);
    }
    if (a->nkept < CHURN_KEEP && tu_rng_below(&rng, 8) == 0) {
      a->kept[a->nkept++] = g ? g : sw_retain(c);
      g = NULL;
    }
    if (tu_rng_below(&rng, 4) == 0) sw_turn_off(c);
    /* Release in either order: the grandchild keeps the child alive. */
    if (tu_rng_below(&rng, 2)) {
      sw_release(c);
      sw_release(g);
    } else {
      sw_release(g);
      sw_release(c);
    }
  }
  return NULL;
}

typedef struct {
  sw_switch *parent;
  atomic_int *stop;
} off_arg;

static void *turn_parent_off(void *arg) {
  off_arg *a = arg;
  for (int i = 0; i < 200; i++) sched_yield(); /* let the churners get going */
  sw_turn_off(a->parent);
  atomic_store(a->stop, 1);
  return NULL;
}

Test(switch, children_churn_vs_parent_turn_off, .timeout = 60) {
  enum { ROUNDS = 20 };
  for (int round = 0; round < ROUNDS; round++) {
    atomic_int stop = 0, registered = 0, ran = 0, anomalies = 0;
    sw_switch *parent = sw_create(NULL);
    churn_arg args[CHURN_THREADS];
    pthread_t th[CHURN_THREADS], offt;
    for (int i = 0; i < CHURN_THREADS; i++) {
      args[i] = (churn_arg){.parent = parent, .stop = &stop, .hooks_registered = &registered,
                            .hooks_ran = &ran, .anomalies = &anomalies,
                            .seed = (uint64_t)(round * 31 + i + 1)};
      pthread_create(&th[i], NULL, churn, &args[i]);
    }
    off_arg oa = {parent, &stop};
    pthread_create(&offt, NULL, turn_parent_off, &oa);
    pthread_join(offt, NULL);
    for (int i = 0; i < CHURN_THREADS; i++) pthread_join(th[i], NULL);

    cr_assert_eq(atomic_load(&anomalies), 0, "round %d: child of an off parent was on", round);
    for (int i = 0; i < CHURN_THREADS; i++) {
      for (int k = 0; k < args[i].nkept; k++) {
        cr_assert_not(sw_is_on(args[i].kept[k]), "round %d: kept descendant still on", round);
        sw_release(args[i].kept[k]);
      }
    }
    /* Everything was turned off (by the parent, explicitly, or at final
    ** release): each hook ran exactly once. */
    cr_assert_eq(atomic_load(&ran), atomic_load(&registered), "round %d", round);
    sw_release(parent);
  }
}

/* Hook registration racing with turn-off: every hook runs exactly once,
** either on the turning thread or on the registering thread. */
typedef struct {
  sw_switch *sw;
  pthread_barrier_t *start;
  atomic_int *counts; /* one per hook */
  int n;
} reg_arg;

static void *register_many(void *arg) {
  reg_arg *a = arg;
  pthread_barrier_wait(a->start);
  for (int i = 0; i < a->n; i++) sw_on_turn_off(a->sw, hook_count, &a->counts[i]);
  return NULL;
}

Test(switch, register_vs_turn_off, .timeout = 60) {
  enum { THREADS = 3, PER = 2000 };
  sw_switch *sw = sw_create(NULL);
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, THREADS + 1);
  static atomic_int counts[THREADS][PER];
  reg_arg args[THREADS];
  pthread_t th[THREADS];
  for (int t = 0; t < THREADS; t++) {
    for (int i = 0; i < PER; i++) atomic_init(&counts[t][i], 0);
    args[t] = (reg_arg){sw, &start, counts[t], PER};
    pthread_create(&th[t], NULL, register_many, &args[t]);
  }
  pthread_barrier_wait(&start);
  for (int i = 0; i < 100; i++) sched_yield();
  sw_turn_off(sw);
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  pthread_barrier_destroy(&start);
  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < PER; i++) cr_assert_eq(atomic_load(&counts[t][i]), 1, "hook %d/%d", t, i);
  sw_release(sw);
}

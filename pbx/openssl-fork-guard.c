/*
 * Preloaded into Kamailio (LD_PRELOAD) where its tls module predates `tls_threads_mode`, as Debian
 * 12's Kamailio 5.6.3 does. With OpenSSL 3 the main process creates OpenSSL's per-thread state
 * (error queue, random generators) while loading the tls module, in shared memory, because the
 * module points OpenSSL's allocator there. Every worker forked afterwards inherits the same
 * pthread-specific pointers, so all of them use one "per-thread" state at once; concurrent TLS
 * handshakes then free its blocks twice and a worker dies with Kamailio behind it.
 *
 * Forgetting the inherited values in each child makes OpenSSL build a worker's own state on first
 * use. The parent keeps and alone uses its copy, so nothing leaks. This is the fork handler the
 * Kamailio developers wrote for 5.6 (kamailio commit a08562b2e5), run from outside the binary.
 * Libraries that keep per-thread values behind pthread keys create them again when they find none.
 */
#include <limits.h>
#include <pthread.h>

static void forget_inherited_thread_state(void) {
  for (pthread_key_t key = 0; key < PTHREAD_KEYS_MAX; key++) {
    if (pthread_getspecific(key) != 0) pthread_setspecific(key, 0);
  }
}

__attribute__((constructor)) static void install(void) {
  pthread_atfork(0, 0, forget_inherited_thread_state);
}

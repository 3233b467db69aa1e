#include "CMallocCounter.h"
#include <stddef.h>
#include <errno.h>

static __thread int counting;
static __thread uint64_t allocations;

#define COUNT() do { if (counting) allocations++; } while (0)

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define OHT50_SANITIZED 1
#endif
#endif

#ifdef OHT50_SANITIZED
/* Under ASan or TSan the sanitizer owns the malloc family: a second definition here would run (and be
   instrumented) before the sanitizer's runtime is initialised — TSan crashed with SIGSEGV in
   TraceSkipGap while listing the tests — and glibc blocks would reach the sanitizer's free. The
   sanitizers call an allocation hook instead, which counts the same thing. */
#include <sanitizer/allocator_interface.h>

#include <pthread.h>

static void counted_malloc(const volatile void *p, size_t size) { (void)p; (void)size; COUNT(); }
static void ignored_free(const volatile void *p) { (void)p; }

/* Once, whichever test thread comes first: two tests starting to count at the same time raced on a plain
   "installed" flag (TSan reported it in a CI run). */
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static void install_hooks(void) { __sanitizer_install_malloc_and_free_hooks(counted_malloc, ignored_free); }

void oht50_malloc_counting_begin(void) {
    pthread_once(&hooks_once, install_hooks);
    allocations = 0;
    counting = 1;
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

void oht50_malloc_counting_begin(void) { allocations = 0; counting = 1; }

void *malloc(size_t size) { COUNT(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { COUNT(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { COUNT(); return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { COUNT(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { COUNT(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    COUNT();
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
#endif

uint64_t oht50_malloc_counting_end(void) { counting = 0; return allocations; }

// Counts heap allocations for the benchmarks, loaded with LD_PRELOAD (scripts/bench-client.sh
// builds it: gcc -O2 -shared -fPIC -o alloc-counter.so alloc-counter.c).
//
// Every call that hands out a block counts once: malloc, calloc, realloc (also a realloc
// that only resizes in place, as heaptrack and malloc-interposer count it), reallocarray,
// posix_memalign, aligned_alloc, memalign, valloc and pvalloc, from any thread. free is not
// counted: every call goes on to glibc's own allocator (the __libc_* entry points), so
// blocks come and go exactly as without this library, and glibc's internal calls to malloc
// (strdup, fopen, ...) count too because glibc calls malloc through its PLT. free goes to
// glibc's too (__libc_free), and so do C++'s operator new and delete (counted once per
// new, as libstdc++'s new calling malloc would be): a program linked with another
// allocator (Debian's h2load and nghttpd link jemalloc, which also defines the C++
// operators) then allocates every block from glibc and gives it back there, where
// jemalloc's free would crash on glibc's blocks and its new would go uncounted.
//
// A program reads the count with dlsym(RTLD_DEFAULT, "alloc_counter_total"); where the
// symbol is absent the library is not loaded and the program reports no count. Any other
// program can have the total written at exit to $ALLOC_COUNTER_REPORT.
//
// Built with -DALLOC_COUNTER_TRACE (scripts/alloc-sources.sh does), it also records where
// allocations come from: between alloc_counter_trace(1) and alloc_counter_trace(0) every
// counted call takes a backtrace (glibc's backtrace(), so it unwinds with .eh_frame and
// needs no frame pointers) and counts it in a table of distinct stacks, written at exit to
// the file named by $ALLOC_COUNTER_TRACE: "count addr addr ..." per stack, then
// /proc/self/maps, for scripts/alloc-sources.py to symbolize. Slow: for finding sources,
// never for timing.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *block, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);
extern void __libc_free(void *block);

static _Atomic unsigned long total;

#ifdef ALLOC_COUNTER_TRACE
#include <execinfo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEPTH = 24, SLOTS = 1 << 16 };
struct stack { unsigned long count; int depth; void *frames[DEPTH]; };
static struct stack *table;  // SLOTS entries, mmap'd by the first trace call
static _Atomic int tracing;
static _Atomic unsigned long dropped;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int inside;  // backtrace() can allocate (libgcc): never trace those

#include <sys/mman.h>

__attribute__((noinline)) static void record(void) {
    if (inside || !atomic_load_explicit(&tracing, memory_order_relaxed)) return;
    inside = 1;
    void *frames[DEPTH + 2];
    int depth = backtrace(frames, DEPTH + 2) - 2;  // drop record() and the allocation call
    if (depth > 0) {
        unsigned long hash = 1469598103934665603ul;
        for (int i = 0; i < depth; i++) hash = (hash ^ (unsigned long)frames[i + 2]) * 1099511628211ul;
        pthread_mutex_lock(&table_lock);
        unsigned long slot = hash & (SLOTS - 1), probes = 0;
        for (; probes < SLOTS; probes++, slot = (slot + 1) & (SLOTS - 1)) {
            struct stack *entry = &table[slot];
            if (entry->count == 0) {
                entry->depth = depth;
                memcpy(entry->frames, frames + 2, depth * sizeof(void *));
            } else if (entry->depth != depth || memcmp(entry->frames, frames + 2, depth * sizeof(void *)) != 0) {
                continue;
            }
            entry->count++;
            break;
        }
        if (probes == SLOTS) dropped++;
        pthread_mutex_unlock(&table_lock);
    }
    inside = 0;
}

__attribute__((visibility("default"))) void alloc_counter_trace(int on) {
    if (on && table == NULL) {
        void *frames[2];
        inside = 1;
        backtrace(frames, 2);  // loads libgcc's unwinder now, not inside a traced call
        inside = 0;
        table = mmap(NULL, SLOTS * sizeof(struct stack), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    atomic_store(&tracing, on);
}

__attribute__((destructor)) static void dump(void) {
    const char *path = getenv("ALLOC_COUNTER_TRACE");
    if (table == NULL || path == NULL) return;
    atomic_store(&tracing, 0);
    inside = 1;
    FILE *out = fopen(path, "w");
    if (out == NULL) return;
    fprintf(out, "dropped %lu\n", dropped);
    for (unsigned long slot = 0; slot < SLOTS; slot++) {
        struct stack *entry = &table[slot];
        if (entry->count == 0) continue;
        fprintf(out, "%lu", entry->count);
        for (int i = 0; i < entry->depth; i++) fprintf(out, " %p", entry->frames[i]);
        fputc('\n', out);
    }
    fputs("maps\n", out);
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) fputs(line, out);
    if (maps != NULL) fclose(maps);
    fclose(out);
}

static inline void count(void) { atomic_fetch_add_explicit(&total, 1, memory_order_relaxed); record(); }
#else
static inline void count(void) { atomic_fetch_add_explicit(&total, 1, memory_order_relaxed); }
#endif

__attribute__((visibility("default"))) unsigned long alloc_counter_total(void) {
    return atomic_load_explicit(&total, memory_order_relaxed);
}

// For a program that does not read the count itself (a server such as `hx serve`,
// scripts/bench-server.sh): with $ALLOC_COUNTER_REPORT set, the total at exit is written
// to that file as one decimal line. Only at a normal exit (exit() or returning from main),
// when destructors run.
__attribute__((destructor)) static void report(void) {
    const char *path = getenv("ALLOC_COUNTER_REPORT");
    if (path == NULL) return;
    char line[32];
    int length = snprintf(line, sizeof line, "%lu\n", alloc_counter_total());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    ssize_t written = write(fd, line, (size_t)length);
    (void)written;
    close(fd);
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t count_, size_t size) { count(); return __libc_calloc(count_, size); }
void *realloc(void *block, size_t size) { count(); return __libc_realloc(block, size); }

void *reallocarray(void *block, size_t count_, size_t size) {
    count();
    size_t bytes;
    if (__builtin_mul_overflow(count_, size, &bytes)) { errno = ENOMEM; return NULL; }
    return __libc_realloc(block, bytes);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    void *block = __libc_memalign(alignment, size);
    if (block == NULL) return ENOMEM;
    *out = block;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { count(); return __libc_valloc(size); }
void *pvalloc(size_t size) { count(); return __libc_pvalloc(size); }
void free(void *block) { __libc_free(block); }

// C++'s operators by their mangled names (this file is C): new and new[] with and without
// std::nothrow_t and std::align_val_t, and every matching delete. A failed new aborts (the
// benchmarks never run out of memory, and throwing std::bad_alloc needs libstdc++).
static void *new_block(size_t size) {
    count();
    void *block = __libc_malloc(size ? size : 1);
    if (block == NULL) abort();
    return block;
}
static void *new_aligned(size_t size, size_t alignment) {
    count();
    void *block = __libc_memalign(alignment, size ? size : 1);
    if (block == NULL) abort();
    return block;
}
void *_Znwm(size_t size) { return new_block(size); }
void *_Znam(size_t size) { return new_block(size); }
void *_ZnwmRKSt9nothrow_t(size_t size, const void *tag) { (void)tag; return new_block(size); }
void *_ZnamRKSt9nothrow_t(size_t size, const void *tag) { (void)tag; return new_block(size); }
void *_ZnwmSt11align_val_t(size_t size, size_t alignment) { return new_aligned(size, alignment); }
void *_ZnamSt11align_val_t(size_t size, size_t alignment) { return new_aligned(size, alignment); }
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *tag) { (void)tag; return new_aligned(size, alignment); }
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const void *tag) { (void)tag; return new_aligned(size, alignment); }
void _ZdlPv(void *block) { __libc_free(block); }
void _ZdaPv(void *block) { __libc_free(block); }
void _ZdlPvm(void *block, size_t size) { (void)size; __libc_free(block); }
void _ZdaPvm(void *block, size_t size) { (void)size; __libc_free(block); }
void _ZdlPvRKSt9nothrow_t(void *block, const void *tag) { (void)tag; __libc_free(block); }
void _ZdaPvRKSt9nothrow_t(void *block, const void *tag) { (void)tag; __libc_free(block); }
void _ZdlPvSt11align_val_t(void *block, size_t alignment) { (void)alignment; __libc_free(block); }
void _ZdaPvSt11align_val_t(void *block, size_t alignment) { (void)alignment; __libc_free(block); }
void _ZdlPvmSt11align_val_t(void *block, size_t size, size_t alignment) { (void)size; (void)alignment; __libc_free(block); }
void _ZdaPvmSt11align_val_t(void *block, size_t size, size_t alignment) { (void)size; (void)alignment; __libc_free(block); }
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *block, size_t alignment, const void *tag) { (void)alignment; (void)tag; __libc_free(block); }
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *block, size_t alignment, const void *tag) { (void)alignment; (void)tag; __libc_free(block); }

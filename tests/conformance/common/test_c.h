/* Edgevisor conformance suite - C test helpers (freestanding). */
#ifndef EDGEVISOR_TEST_C_H
#define EDGEVISOR_TEST_C_H
#include <stdint.h>
#include <stddef.h>

void check_fail(long n, uint64_t got, uint64_t expected) __attribute__((noreturn));
void puts_uart(const char *s);
void puthex_uart(uint64_t v);

/* CHECK(got, expected): numbered in source order (1, 2, ...) */
#define CHECK(got, expected) \
  do { \
    uint64_t g_ = (uint64_t)(got), e_ = (uint64_t)(expected); \
    if (g_ != e_) check_fail(__COUNTER__ + 1, g_, e_); \
  } while (0)

static inline uint64_t dbits(double d) { union { double d; uint64_t u; } x = { .d = d }; return x.u; }
static inline uint32_t fbits(float f) { union { float f; uint32_t u; } x = { .f = f }; return x.u; }

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#endif

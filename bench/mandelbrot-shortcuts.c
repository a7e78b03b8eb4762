/* The TypeScript kernel's escape-time loop (cluster-image/src/render/kernel.ts, escapeCount) written
 * in C with the same shortcuts: points in the main cardioid or the period-2 bulb are inside at
 * once, and an orbit that repeats bit for bit is inside (the periodicity check, saved point
 * refreshed at iterations 8, 16, 32, ...). The reference for "the kernel against C with the same
 * shortcuts" in bench/mandelbrot.ts; same output format as mandelbrot-plain.c.
 * Build: gcc -O2 -o mandelbrot-shortcuts mandelbrot-shortcuts.c */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int escape_count(double cr, double ci, int escape) {
  double ci2 = ci * ci;
  double q = (cr - 0.25) * (cr - 0.25) + ci2;
  if (q * (q + (cr - 0.25)) <= 0.25 * ci2) return escape;
  if ((cr + 1) * (cr + 1) + ci2 <= 0.0625) return escape;
  double x = 0, y = 0, x2 = 0, y2 = 0, saved_x = 0, saved_y = 0;
  int check_at = 8;
  for (int n = 0; n < escape; n++) {
    if (x2 + y2 > 4) return n;
    y = 2 * x * y + ci;
    x = x2 - y2 + cr;
    x2 = x * x;
    y2 = y * y;
    if (x == saved_x && y == saved_y) return escape;
    if (n == check_at) {
      saved_x = x;
      saved_y = y;
      check_at *= 2;
    }
  }
  return escape;
}

int main(int argc, char **argv) {
  int width = argc > 1 ? atoi(argv[1]) : 2000;
  int escape = argc > 2 ? atoi(argv[2]) : 1000;
  int height = (int)((width * 24.0) / 25.0 + 0.5);
  if (height < 1) height = 1;
  double half_step = (1.2 - -1.2) / (2.0 * height);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  unsigned long long sum = 0;
  for (int y = 0; y < height; y++) {
    double ci = (double)(height - 1 - 2 * y) * half_step;
    for (int x = 0; x < width; x++) sum += (unsigned long long)escape_count(-2.0 + ((x + 0.5) * (0.5 - -2.0)) / width, ci, escape);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%d %d %llu %.6f\n", width, height, sum, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}

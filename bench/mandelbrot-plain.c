/* The plain escape-time loop, as the reference for bench/mandelbrot.ts: same view and pixel
 * centres as common/src/mandelbrot-view.ts, no shortcuts. Prints the sum of all escape counts
 * (to check that the TypeScript kernel computes the same image) and the seconds it took.
 * Build: gcc -O2 -o mandelbrot-plain mandelbrot-plain.c */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
    for (int x = 0; x < width; x++) {
      double cr = -2.0 + ((x + 0.5) * (0.5 - -2.0)) / width;
      double zr = 0, zi = 0;
      int n = 0;
      while (n < escape) {
        double zr2 = zr * zr, zi2 = zi * zi;
        if (zr2 + zi2 > 4.0) break;
        zi = 2 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        n++;
      }
      sum += (unsigned long long)n;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%d %d %llu %.6f\n", width, height, sum, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}

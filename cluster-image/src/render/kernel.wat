;; The escape-time kernel (wasm-kernel.ts explains it), compiled to kernel.wasm by the build
;; (cluster-image/build-assets.mjs, with wabt).
(module
  (memory (export "memory") 1)
  ;; row(n, ci, escape, out): for i in 0..n-1, reads re[i] (an f64 at 8*i) and writes the escape
  ;; count of re[i] + i*ci (an i32 at out + 4*i). Pixels two at a time in f64x2 lanes, by the rules
  ;; of kernel.ts's escapeCount exactly (no fused multiply-add in WebAssembly: the same roundings).
  (func $inbulbs (param $cr f64) (param $ci2 f64) (result i32)
    (local $q f64) (local $t f64)
    (local.set $t (f64.sub (local.get $cr) (f64.const 0.25)))
    (local.set $q (f64.add (f64.mul (local.get $t) (local.get $t)) (local.get $ci2)))
    (if (f64.le (f64.mul (local.get $q) (f64.add (local.get $q) (local.get $t))) (f64.mul (f64.const 0.25) (local.get $ci2)))
      (then (return (i32.const 1))))
    (local.set $t (f64.add (local.get $cr) (f64.const 1)))
    (f64.le (f64.add (f64.mul (local.get $t) (local.get $t)) (local.get $ci2)) (f64.const 0.0625)))
  (func $scalar (param $cr f64) (param $ci f64) (param $escape i32) (result i32)
    (local $x f64) (local $y f64) (local $x2 f64) (local $y2 f64) (local $sx f64) (local $sy f64)
    (local $check i32) (local $n i32)
    (if (call $inbulbs (local.get $cr) (f64.mul (local.get $ci) (local.get $ci))) (then (return (local.get $escape))))
    (local.set $check (i32.const 8))
    (block $done
      (loop $it
        (br_if $done (i32.ge_s (local.get $n) (local.get $escape)))
        (if (f64.gt (f64.add (local.get $x2) (local.get $y2)) (f64.const 4)) (then (return (local.get $n))))
        (local.set $y (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $x)) (local.get $y)) (local.get $ci)))
        (local.set $x (f64.add (f64.sub (local.get $x2) (local.get $y2)) (local.get $cr)))
        (local.set $x2 (f64.mul (local.get $x) (local.get $x)))
        (local.set $y2 (f64.mul (local.get $y) (local.get $y)))
        (if (i32.and (f64.eq (local.get $x) (local.get $sx)) (f64.eq (local.get $y) (local.get $sy))) (then (return (local.get $escape))))
        (if (i32.eq (local.get $n) (local.get $check)) (then
          (local.set $sx (local.get $x)) (local.set $sy (local.get $y))
          (local.set $check (i32.shl (local.get $check) (i32.const 1)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $it)))
    (local.get $escape))
  ;; Two pixels: lanes run in step; a lane that has stopped keeps computing, masked out. result
  ;; lane = n at the first n where |z|^2 > 4 at the top, or escape when its orbit repeats.
  (func $pair (param $cra f64) (param $crb f64) (param $ci f64) (param $escape i32) (param $out i32)
    (local $cr v128) (local $civ v128) (local $x v128) (local $y v128) (local $x2 v128) (local $y2 v128)
    (local $sx v128) (local $sy v128) (local $live v128) (local $res v128)
    (local $m v128) (local $check i32) (local $n i32) (local $ci2 f64)
    (local.set $ci2 (f64.mul (local.get $ci) (local.get $ci)))
    (if (i32.or (call $inbulbs (local.get $cra) (local.get $ci2)) (call $inbulbs (local.get $crb) (local.get $ci2))) (then
      (i32.store (local.get $out) (call $scalar (local.get $cra) (local.get $ci) (local.get $escape)))
      (i32.store offset=4 (local.get $out) (call $scalar (local.get $crb) (local.get $ci) (local.get $escape)))
      (return)))
    (local.set $cr (f64x2.replace_lane 1 (f64x2.splat (local.get $cra)) (local.get $crb)))
    (local.set $civ (f64x2.splat (local.get $ci)))
    (local.set $res (i64x2.splat (i64.extend_i32_s (local.get $escape))))
    (local.set $live (v128.const i64x2 -1 -1))
    (local.set $check (i32.const 8))
    (block $done
      (loop $it
        (br_if $done (i32.ge_s (local.get $n) (local.get $escape)))
        ;; escaped lanes: result n, no longer live
        (local.set $m (v128.and (local.get $live) (f64x2.gt (f64x2.add (local.get $x2) (local.get $y2)) (f64x2.splat (f64.const 4)))))
        (local.set $res (v128.bitselect (i64x2.splat (i64.extend_i32_s (local.get $n))) (local.get $res) (local.get $m)))
        (local.set $live (v128.andnot (local.get $live) (local.get $m)))
        (br_if $done (i32.eqz (v128.any_true (local.get $live))))
        (local.set $y (f64x2.add (f64x2.mul (f64x2.add (local.get $x) (local.get $x)) (local.get $y)) (local.get $civ)))
        (local.set $x (f64x2.add (f64x2.sub (local.get $x2) (local.get $y2)) (local.get $cr)))
        (local.set $x2 (f64x2.mul (local.get $x) (local.get $x)))
        (local.set $y2 (f64x2.mul (local.get $y) (local.get $y)))
        ;; cycling lanes: result escape (already), no longer live
        (local.set $m (v128.and (local.get $live) (v128.and (f64x2.eq (local.get $x) (local.get $sx)) (f64x2.eq (local.get $y) (local.get $sy)))))
        (local.set $live (v128.andnot (local.get $live) (local.get $m)))
        (br_if $done (i32.eqz (v128.any_true (local.get $live))))
        (if (i32.eq (local.get $n) (local.get $check)) (then
          (local.set $sx (local.get $x)) (local.set $sy (local.get $y))
          (local.set $check (i32.shl (local.get $check) (i32.const 1)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $it)))
    (i32.store (local.get $out) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $res))))
    (i32.store offset=4 (local.get $out) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $res)))))
  (func (export "row") (param $n i32) (param $ci f64) (param $escape i32) (param $outBase i32)
    (local $i i32)
    (block $end
      (loop $px
        (br_if $end (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (call $pair (f64.load (i32.shl (local.get $i) (i32.const 3))) (f64.load offset=8 (i32.shl (local.get $i) (i32.const 3)))
          (local.get $ci) (local.get $escape) (i32.add (local.get $outBase) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $px)))
    (if (i32.lt_s (local.get $i) (local.get $n)) (then
      (i32.store (i32.add (local.get $outBase) (i32.shl (local.get $i) (i32.const 2)))
        (call $scalar (f64.load (i32.shl (local.get $i) (i32.const 3))) (local.get $ci) (local.get $escape))))))

  ;; Deep views (common/src/deep/perturbation.ts, perturbedEscape, exactly): two pixels at a time,
  ;; each a difference d from the reference orbit Z, which lies at address 0 as [re, im] f64 pairs,
  ;; Z(0) .. Z(last). Each lane has its own place m in the orbit (rebasing sets it back to 0), so Z
  ;; is loaded per lane and the two pairs are shuffled into lanes. A lane that has stopped keeps
  ;; computing, masked out; its m still rebases at `last`, so every load stays in the orbit.
  (func $deep_pair (param $dcxa f64) (param $dcxb f64) (param $dcy f64) (param $escape i32) (param $last i32) (param $out i32) (param $two i32)
    (local $dcx v128) (local $dcyv v128) (local $dx v128) (local $dy v128) (local $X v128) (local $Y v128)
    (local $zx v128) (local $zy v128) (local $r v128) (local $reb v128) (local $ndx v128) (local $za v128) (local $zb v128)
    (local $live v128) (local $res v128) (local $m v128) (local $ma i32) (local $mb i32) (local $n i32)
    (local.set $dcx (f64x2.replace_lane 1 (f64x2.splat (local.get $dcxa)) (local.get $dcxb)))
    (local.set $dcyv (f64x2.splat (local.get $dcy)))
    (local.set $res (i64x2.splat (i64.extend_i32_s (local.get $escape))))
    (local.set $live (v128.const i64x2 -1 -1))
    (block $done
      (loop $it
        (br_if $done (i32.ge_s (local.get $n) (local.get $escape)))
        (local.set $zx (f64x2.add (local.get $X) (local.get $dx)))
        (local.set $zy (f64x2.add (local.get $Y) (local.get $dy)))
        (local.set $r (f64x2.add (f64x2.mul (local.get $zx) (local.get $zx)) (f64x2.mul (local.get $zy) (local.get $zy))))
        ;; escaped lanes: result n, no longer live
        (local.set $m (v128.and (local.get $live) (f64x2.gt (local.get $r) (f64x2.splat (f64.const 4)))))
        (local.set $res (v128.bitselect (i64x2.splat (i64.extend_i32_s (local.get $n))) (local.get $res) (local.get $m)))
        (local.set $live (v128.andnot (local.get $live) (local.get $m)))
        (br_if $done (i32.eqz (v128.any_true (local.get $live))))
        ;; rebase lanes at the end of the orbit, or where |z| < |d|: d = z, m = 0, Z(0) = 0
        (local.set $reb (v128.or
          (f64x2.lt (local.get $r) (f64x2.add (f64x2.mul (local.get $dx) (local.get $dx)) (f64x2.mul (local.get $dy) (local.get $dy))))
          (i64x2.replace_lane 1 (i64x2.splat (i64.extend_i32_s (i32.sub (i32.const 0) (i32.eq (local.get $ma) (local.get $last)))))
            (i64.extend_i32_s (i32.sub (i32.const 0) (i32.eq (local.get $mb) (local.get $last)))))))
        (if (v128.any_true (local.get $reb)) (then
          (local.set $dx (v128.bitselect (local.get $zx) (local.get $dx) (local.get $reb)))
          (local.set $dy (v128.bitselect (local.get $zy) (local.get $dy) (local.get $reb)))
          (local.set $X (v128.andnot (local.get $X) (local.get $reb)))
          (local.set $Y (v128.andnot (local.get $Y) (local.get $reb)))
          (if (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $reb))) (then (local.set $ma (i32.const 0))))
          (if (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $reb))) (then (local.set $mb (i32.const 0))))))
        ;; d' = 2 Z d + d^2 + dc, in perturbedEscape's order of operations
        (local.set $ndx (f64x2.add (f64x2.add
          (f64x2.mul (f64x2.splat (f64.const 2)) (f64x2.sub (f64x2.mul (local.get $X) (local.get $dx)) (f64x2.mul (local.get $Y) (local.get $dy))))
          (f64x2.sub (f64x2.mul (local.get $dx) (local.get $dx)) (f64x2.mul (local.get $dy) (local.get $dy))))
          (local.get $dcx)))
        (local.set $dy (f64x2.add (f64x2.add
          (f64x2.mul (f64x2.splat (f64.const 2)) (f64x2.add (f64x2.mul (local.get $X) (local.get $dy)) (f64x2.mul (local.get $Y) (local.get $dx))))
          (f64x2.mul (f64x2.mul (f64x2.splat (f64.const 2)) (local.get $dx)) (local.get $dy)))
          (local.get $dcyv)))
        (local.set $dx (local.get $ndx))
        (local.set $ma (i32.add (local.get $ma) (i32.const 1)))
        (local.set $mb (i32.add (local.get $mb) (i32.const 1)))
        (local.set $za (v128.load (i32.shl (local.get $ma) (i32.const 4))))
        (local.set $zb (v128.load (i32.shl (local.get $mb) (i32.const 4))))
        (local.set $X (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $za) (local.get $zb)))
        (local.set $Y (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $za) (local.get $zb)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $it)))
    (i32.store (local.get $out) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $res))))
    (if (local.get $two) (then (i32.store offset=4 (local.get $out) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $res)))))))
  ;; deep_row(n, dcxAt, dcy, escape, last, out): for i in 0..n-1, reads dc_x[i] (an f64 at dcxAt + 8*i)
  ;; and writes the escape count of the pixel (dc_x[i], dcy) (an i32 at out + 4*i).
  (func (export "deep_row") (param $n i32) (param $dcxAt i32) (param $dcy f64) (param $escape i32) (param $last i32) (param $outBase i32)
    (local $i i32) (local $at i32)
    (block $end
      (loop $px
        (br_if $end (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $at (i32.add (local.get $dcxAt) (i32.shl (local.get $i) (i32.const 3))))
        (call $deep_pair (f64.load (local.get $at))
          ;; an odd last pixel pairs with itself, and only its own count is written
          (f64.load (select (i32.add (local.get $at) (i32.const 8)) (local.get $at) (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $n))))
          (local.get $dcy) (local.get $escape) (local.get $last) (i32.add (local.get $outBase) (i32.shl (local.get $i) (i32.const 2)))
          (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $px))))
)

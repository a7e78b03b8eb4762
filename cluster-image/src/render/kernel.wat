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
)

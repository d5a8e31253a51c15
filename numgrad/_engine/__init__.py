"""numgrad's engine: every derivative goes through it.

One place perturbs x, one builds stacks, one checks f's values, one chooses
the step, one estimates the error and one words the warnings. The public modules (:mod:`numgrad.diff`, :mod:`numgrad.gradient`, ...) are
thin faces on it. From the bottom up:

- ``schemes``, ``checks``, ``errors``, ``problem``, ``workers``: import
  nothing of the engine (the schemes, the checks of arguments and of f's
  values, the error model, the problem with x's lock, the maps of
  ``workers=``);
- ``evaluate``, ``stacks``, ``auto``, ``report``: the evaluators, the step
  rule and the warnings, on those;
- ``compute``, ``elementwise``: the drivers, for functions of arrays and for
  elementwise functions.
"""

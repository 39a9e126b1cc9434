r"""Gaussian smoothing of binned pair distances at the distances ``r`` (Kd's last step).

Two numba kernels and a numpy fallback compute the same sum. The general kernel evaluates
one exponential per (distance, bin) pair within 8 bandwidths. When the distances are an
evenly spaced grid (``kd``'s default ``r``), the grid kernel walks from each bin's nearest
grid point outwards with the exact Gaussian recurrence

.. math::

    g_{k+1} = g_k\,q_k, \qquad q_{k+1} = q_k\,e^{-\delta^2}, \qquad
    q_k = e^{-z_k\delta - \delta^2/2}, \quad z_k = (r_k - c)/h, \quad \delta = \Delta r / h,

so each bin costs three exponentials and then one multiplication per grid point: the
smoothing no longer dominates small industries' Kd (Greengard and Strain's fast Gauss
transform rests on the same factorisation). Rounding grows with the number of steps (at
most a few hundred), about 1e-13 of a term, far below the histogram's own binning error.

References
----------
Greengard, L. and Strain, J. (1991). The fast Gauss transform. *SIAM Journal on Scientific
and Statistical Computing* 12(1): 79-94.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from clusteratlas.measures.pointpattern._pairs import FloatArray, _use_numba, njit_kernels

#: Kernels are cut at this many bandwidths (exp(-32) ~ 1.3e-14 of the peak).
CUT = 8.0
#: An ``r`` is treated as an even grid when no distance is further than this share of the
#: step from its grid position.
GRID_TOLERANCE = 1e-9


def _smooth_impl(
    centres: FloatArray, mass: FloatArray, r: FloatArray, h: float, reflect: float
) -> FloatArray:
    nr = r.shape[0]
    out = np.zeros(nr)
    norm = 1.0 / (h * np.sqrt(2.0 * np.pi))
    for k in _prange(nr):
        rk = r[k]
        lo = np.searchsorted(centres, rk - CUT * h)
        hi = np.searchsorted(centres, rk + CUT * h)
        s = 0.0
        for b in range(lo, hi):
            z = (rk - centres[b]) / h
            s += mass[b] * np.exp(-0.5 * z * z)
        hi = np.searchsorted(centres, min(reflect, CUT * h - rk), side="right")
        for b in range(0, hi):
            z = (rk + centres[b]) / h
            s += mass[b] * np.exp(-0.5 * z * z)
        out[k] = s * norm
    return out


def _smooth_grid_impl(
    centres: FloatArray, mass: FloatArray, r0: float, dr: float, nr: int, h: float, reflect: float
) -> FloatArray:
    out = np.zeros(nr)
    delta = dr / h
    decay = np.exp(-delta * delta)
    decay2 = decay * decay
    decay4 = decay2 * decay2
    decay6 = decay4 * decay2
    decay16 = decay4 * decay4 * decay4 * decay4
    for b in range(centres.shape[0]):
        m = mass[b]
        if m == 0.0:
            continue
        for mirrored in range(2):
            if mirrored and centres[b] > reflect:
                break
            c = -centres[b] if mirrored else centres[b]
            # Grid points strictly above c - CUT h and not above c + CUT h get a term: the
            # general kernel's window.
            klo = max(int(np.floor((c - CUT * h - r0) / dr)) + 1, 0)
            khi = min(int(np.floor((c + CUT * h - r0) / dr)), nr - 1)
            if klo > khi:
                continue
            # Start at the grid point nearest the centre and walk away from it, so every
            # step multiplies by a factor below 1 (no overflow, rounding stays relative).
            k0 = min(max(int(np.rint((c - r0) / dr)), klo), khi)
            z0 = (r0 + k0 * dr - c) / h
            g0 = m * np.exp(-0.5 * z0 * z0)
            q = np.exp(-z0 * delta - 0.5 * delta * delta)
            p = np.exp(z0 * delta - 0.5 * delta * delta)
            # Upwards from k0 (first term g0, factors q, q e^-d2, ...); downwards from
            # k0 - 1 (first term g0 p, factors p e^-d2, ...).
            for down in range(2):
                start = k0 - 1 if down else k0
                sign = -1 if down else 1
                steps = k0 - klo if down else khi - k0 + 1
                g = g0 * p if down else g0
                f = p * decay if down else q
                # Four interleaved chains (terms j, j+1, j+2, j+3, each then multiplied by
                # the product of the next four factors, f_j**4 e^(-6 d2), whose own factor
                # is e^(-16 d2)): one chain of dependent products ran at the multiplier's
                # latency and was most of a small industry's Kd.
                t0 = g
                t1 = t0 * f
                t2 = t1 * (f * decay)
                t3 = t2 * (f * decay2)
                f4 = f * f * f * f * decay6
                u0 = f4
                u1 = f4 * decay4
                u2 = u1 * decay4
                u3 = u2 * decay4
                for j in range(0, steps - 3, 4):
                    k = start + sign * j
                    out[k] += t0
                    out[k + sign] += t1
                    out[k + 2 * sign] += t2
                    out[k + 3 * sign] += t3
                    t0 *= u0
                    t1 *= u1
                    t2 *= u2
                    t3 *= u3
                    u0 *= decay16
                    u1 *= decay16
                    u2 *= decay16
                    u3 *= decay16
                rest = steps % 4
                k = start + sign * (steps - rest)
                if rest > 0:
                    out[k] += t0
                if rest > 1:
                    out[k + sign] += t1
                if rest > 2:
                    out[k + 2 * sign] += t2
    return out / (h * np.sqrt(2.0 * np.pi))


# Replaced by numba's prange when the kernels are compiled; plain range in the numpy paths.
_prange = range


@functools.cache
def _compiled(parallel: bool) -> dict[str, Callable[..., Any]]:
    impls: dict[str, Callable[..., Any]] = {
        "smooth": _smooth_impl,
        "smooth_grid": _smooth_grid_impl,
    }
    return njit_kernels(globals(), impls, parallel=parallel)


def grid_step(r: FloatArray) -> float | None:
    """Return the step of ``r`` when it is an evenly spaced grid (3 points or more), else None."""
    if len(r) < 3:
        return None
    step = (r[-1] - r[0]) / (len(r) - 1)
    if step <= 0:
        return None
    drift = np.abs(r - (r[0] + step * np.arange(len(r)))).max()
    return float(step) if drift <= GRID_TOLERANCE * step else None


def gaussian_smooth(
    centres: FloatArray,
    mass: FloatArray,
    r: FloatArray,
    h: float,
    *,
    reflect: float,
    backend: str = "auto",
    parallel: bool = True,
) -> FloatArray:
    r"""Sum of Gaussian kernels (sd ``h``) of binned masses at ``r``, reflected at 0 below ``reflect``.

    :math:`\hat f(r) = \frac{1}{h\sqrt{2\pi}} \sum_b m_b [\phi((r - c_b)/h)
    + 1_{c_b \le reflect}\, \phi((r + c_b)/h)]`, each kernel cut at 8 ``h``.
    ``centres`` must be sorted. With numba and an evenly spaced ``r``, the grid recurrence
    (module docstring) is used; otherwise one exponential per term.
    """
    c = np.ascontiguousarray(centres, dtype=np.float64)
    m = np.ascontiguousarray(mass, dtype=np.float64)
    rr = np.ascontiguousarray(r, dtype=np.float64)
    if _use_numba(backend):
        kernels = _compiled(parallel)
        step = grid_step(rr)
        out: FloatArray
        if step is not None:
            out = kernels["smooth_grid"](c, m, rr[0], step, len(rr), float(h), float(reflect))
        else:
            out = kernels["smooth"](c, m, rr, float(h), float(reflect))
        return out
    result = np.zeros(len(rr))
    norm = 1.0 / (h * np.sqrt(2.0 * np.pi))
    mirrored = c <= reflect
    for k0 in range(0, len(rr), 64):
        rk = rr[k0 : k0 + 64, None]
        z = (rk - c[None, :]) / h
        near = np.abs(z) < CUT
        dens = np.where(near, m * np.exp(-0.5 * np.where(near, z, 0.0) ** 2), 0.0).sum(axis=1)
        zr = (rk + c[None, mirrored]) / h
        near_r = zr < CUT
        dens += np.where(near_r, m[mirrored] * np.exp(-0.5 * np.where(near_r, zr, 0) ** 2), 0).sum(
            axis=1
        )
        result[k0 : k0 + 64] = dens * norm
    return result


__all__ = ["gaussian_smooth", "grid_step"]

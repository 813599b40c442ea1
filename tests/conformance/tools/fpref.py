"""Tiny exact IEEE-754 reference (binary32/binary64) used to compute expected
values for the FP tests. Exact rational arithmetic + explicit rounding;
tininess detected after rounding (as RISC-V requires)."""
from fractions import Fraction
import math

NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16
RNE, RTZ, RDN, RUP, RMM = 0, 1, 2, 3, 4

class Fmt:
    def __init__(self, ebits, mbits):
        self.ebits, self.mbits = ebits, mbits
        self.bias = (1 << (ebits - 1)) - 1
        self.emin = 1 - self.bias
        self.emax = self.bias
        self.width = 1 + ebits + mbits
        self.qnan = ((1 << ebits) - 1) << mbits | (1 << (mbits - 1))
        self.inf = ((1 << ebits) - 1) << mbits
        self.maxfin = (((1 << ebits) - 2) << mbits) | ((1 << mbits) - 1)
        self.sign = 1 << (ebits + mbits)
S = Fmt(8, 23)
D = Fmt(11, 52)

def decode(f, bits):
    """-> ('nan', is_snan) | ('inf', sign) | ('num', Fraction) (zero keeps sign in 'zero')"""
    s = bits >> (f.width - 1) & 1
    e = bits >> f.mbits & ((1 << f.ebits) - 1)
    m = bits & ((1 << f.mbits) - 1)
    if e == (1 << f.ebits) - 1:
        if m:
            return ('nan', not (m >> (f.mbits - 1)) & 1)
        return ('inf', s)
    if e == 0:
        if m == 0:
            return ('zero', s)
        v = Fraction(m, 1 << (f.mbits - f.emin))
    else:
        v = Fraction((1 << f.mbits) | m) * Fraction(2) ** (e - f.bias - f.mbits)
    return ('num', -v if s else v)

def encode_from(f, x):
    """exact Fraction (must be representable) -> bits"""
    return round_frac(f, x, RNE)[0]

def _round_int(n, rem, neg, rm):
    if rem == 0:
        return n
    half = Fraction(1, 2)
    if rm == RNE:
        return n + 1 if rem > half or (rem == half and n & 1) else n
    if rm == RTZ:
        return n
    if rm == RDN:
        return n + 1 if neg else n
    if rm == RUP:
        return n if neg else n + 1
    if rm == RMM:
        return n + 1 if rem >= half else n
    raise ValueError(rm)

def _exp_of(a):
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    if Fraction(2) ** (e + 1) <= a:
        e += 1
    return e

def round_frac(f, x, rm, zero_sign=0):
    """Round exact rational x to format f. Returns (bits, flags)."""
    if x == 0:
        return (f.sign if zero_sign else 0), 0
    neg = x < 0
    a = -x if neg else x
    sbit = f.sign if neg else 0
    e = _exp_of(a)
    # tininess after rounding: round with unbounded exponent range
    q_unb = Fraction(2) ** (e - f.mbits)
    m = a / q_unb
    n = _round_int(int(m), m - int(m), neg, rm)
    r_unb = n * q_unb
    tiny = r_unb < Fraction(2) ** f.emin
    # real rounding
    ee = max(e, f.emin)
    q = Fraction(2) ** (ee - f.mbits)
    m = a / q
    n0 = int(m)
    rem = m - n0
    n = _round_int(n0, rem, neg, rm)
    flags = NX if rem else 0
    if n == 1 << (f.mbits + 1):
        n >>= 1
        ee += 1
    if tiny and flags:
        flags |= UF
    if n >= 1 << f.mbits:
        if ee > f.emax:
            flags |= OF | NX
            if rm in (RNE, RMM) or (rm == RUP and not neg) or (rm == RDN and neg):
                return sbit | f.inf, flags
            return sbit | f.maxfin, flags
        return sbit | ((ee + f.bias) << f.mbits) | (n - (1 << f.mbits)), flags
    return sbit | n, flags  # subnormal (or zero after rounding)

def _val(d):
    if d[0] == 'zero':
        return Fraction(0)
    return d[1]

def _is_snan(d): return d[0] == 'nan' and d[1]

def arith(f, op, bits, rm):
    """op in add sub mul div sqrt fmadd fmsub fnmadd fnmsub. Returns (bits, flags)."""
    ds = [decode(f, b) for b in bits]
    nv = any(_is_snan(d) for d in ds)
    if op == 'fmadd' or op == 'fmsub' or op == 'fnmadd' or op == 'fnmsub':
        a, b, c = ds
        # inf*0 is invalid even if c is a quiet NaN
        if (a[0] == 'inf' and b[0] == 'zero') or (a[0] == 'zero' and b[0] == 'inf'):
            return f.qnan, NV
        if any(d[0] == 'nan' for d in ds):
            return f.qnan, NV if nv else 0
        psign = (_sign(a) ^ _sign(b))
        if op in ('fnmadd', 'fnmsub'):
            psign ^= 1
        csign = _sign(c) ^ (1 if op in ('fmsub', 'fnmadd') else 0)
        pinf = a[0] == 'inf' or b[0] == 'inf'
        if pinf or c[0] == 'inf':
            if pinf and c[0] == 'inf' and psign != csign:
                return f.qnan, NV
            s = psign if pinf else csign
            return (f.sign if s else 0) | f.inf, 0
        p = _val(a) * _val(b)
        if psign != ((p < 0) if p != 0 else psign):
            p = -p
        cv = _val(c)
        if c[0] != 'zero':
            cv = abs(cv) * (-1 if csign else 1)
        r = p + cv
        if r == 0:
            pz = (a[0] == 'zero' or b[0] == 'zero')
            if pz and c[0] == 'zero':
                zs = psign if psign == csign else (1 if rm == RDN else 0)
            else:
                zs = 1 if rm == RDN else 0
            return round_frac(f, r, rm, zs)
        return round_frac(f, r, rm)
    if any(d[0] == 'nan' for d in ds):
        return f.qnan, NV if nv else 0
    if op == 'sqrt':
        (a,) = ds
        if a[0] == 'zero':
            return bits[0], 0
        if _sign(a):
            return f.qnan, NV
        if a[0] == 'inf':
            return bits[0], 0
        v = _val(a)
        # exact sqrt rounding: scale to integer with lots of extra bits
        k = 1300
        N = v * Fraction(2) ** (2 * k)
        ni = N.numerator // N.denominator
        r = math.isqrt(ni)
        exact = (r * r == ni) and (N.denominator == 1)
        val = Fraction(r, 1 << k)
        if not exact:
            val += Fraction(1, 1 << (k + 1))  # sticky: strictly between r and r+1
        return round_frac(f, val, rm)
    a, b = ds
    sa, sb = _sign(a), _sign(b)
    if op == 'sub':
        sb ^= 1
        op = 'add'
    if op == 'add':
        if a[0] == 'inf' or b[0] == 'inf':
            if a[0] == 'inf' and b[0] == 'inf' and sa != sb:
                return f.qnan, NV
            s = sa if a[0] == 'inf' else sb
            return (f.sign if s else 0) | f.inf, 0
        av = _val(a)
        bv = abs(_val(b)) * (-1 if sb else 1)
        r = av + bv
        if r == 0:
            if a[0] == 'zero' and b[0] == 'zero' and sa == sb:
                zs = sa
            else:
                zs = 1 if rm == RDN else 0
            return round_frac(f, r, rm, zs)
        return round_frac(f, r, rm)
    s = sa ^ sb
    if op == 'mul':
        if (a[0] == 'inf' and b[0] == 'zero') or (a[0] == 'zero' and b[0] == 'inf'):
            return f.qnan, NV
        if a[0] == 'inf' or b[0] == 'inf':
            return (f.sign if s else 0) | f.inf, 0
        return round_frac(f, _val(a) * _val(b), rm, s)
    if op == 'div':
        if (a[0] == 'inf' and b[0] == 'inf') or (a[0] == 'zero' and b[0] == 'zero'):
            return f.qnan, NV
        if a[0] == 'inf':
            return (f.sign if s else 0) | f.inf, 0
        if b[0] == 'inf':
            return (f.sign if s else 0), 0
        if b[0] == 'zero':
            return (f.sign if s else 0) | f.inf, DZ
        return round_frac(f, _val(a) / _val(b), rm, s)
    raise ValueError(op)

def _sign(d):
    if d[0] in ('zero', 'inf'):
        return d[1]
    if d[0] == 'num':
        return 1 if d[1] < 0 else 0
    return 0

def to_int(f, bits, rm, width, signed):
    """fcvt.{w,wu,l,lu}.{s,d}: returns (int value as unsigned 64-bit register, flags)"""
    d = decode(f, bits)
    lo = -(1 << (width - 1)) if signed else 0
    hi = (1 << (width - 1)) - 1 if signed else (1 << width) - 1
    def reg(v):
        if width == 32:
            v &= 0xffffffff
            if v >> 31:
                v |= 0xffffffff00000000
        return v & ((1 << 64) - 1)
    if d[0] == 'nan' or (d[0] == 'inf' and d[1] == 0):
        return reg(hi), NV
    if d[0] == 'inf':
        return reg(lo), NV
    v = _val(d)
    neg = v < 0
    a = -v if neg else v
    n = _round_int(int(a), a - int(a), neg, rm)
    r = -n if neg else n
    if r < lo or r > hi:
        return reg(hi if not neg else lo), NV
    return reg(r), (NX if a != int(a) else 0)

def from_int(f, v, rm):
    return round_frac(f, Fraction(v), rm)

def f2f(src, dst, bits, rm):
    d = decode(src, bits)
    if d[0] == 'nan':
        return dst.qnan, NV if d[1] else 0
    if d[0] == 'inf':
        return (dst.sign if d[1] else 0) | dst.inf, 0
    if d[0] == 'zero':
        return (dst.sign if d[1] else 0), 0
    return round_frac(dst, d[1], rm)

def bits_of(f, x):
    import struct
    if f is D:
        return struct.unpack('<Q', struct.pack('<d', x))[0]
    return struct.unpack('<I', struct.pack('<f', x))[0]

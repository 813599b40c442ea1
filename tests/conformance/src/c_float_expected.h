/* Expected values for c_float.c, computed with Python floats (IEEE double,
   round-to-nearest-even) and numpy.float32 using the same operation order. */
#define BASEL 0x3ffa4d8e550a946eull
#define HARM_F 0x40ef890au
#define NEWTON2 0x3ff6a09e667f3bccull
#define MATRIX_HASH 0x0fe0f125456fbec4ull
#define MIX_F 0x453289a2u
#define MIX_D 0x409b0c9158536c5bull

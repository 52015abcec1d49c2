/* OpenBLAS's CBLAS interface (sgemm, thread control). */
#include <cblas.h>

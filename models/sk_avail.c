#include "models/sk_avail.h"

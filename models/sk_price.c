#include "models/sk_price.h"

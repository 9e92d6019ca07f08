#include "models/sk_catalog.h"

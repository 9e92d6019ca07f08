#include "models/sk_net.h"

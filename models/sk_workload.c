#include "models/sk_workload.h"

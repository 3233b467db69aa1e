#ifndef OHT50_CYAML_SHIM_H
#define OHT50_CYAML_SHIM_H
#include <yaml.h>
#endif

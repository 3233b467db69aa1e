#ifndef OHT50_CMODBUS_SHIM_H
#define OHT50_CMODBUS_SHIM_H
#include <modbus.h>
#endif

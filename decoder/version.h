/* version.h: the library's version, kept in step with outflow.control. */
#ifndef OUTFLOW_VERSION_H
#define OUTFLOW_VERSION_H
#define OUTFLOW_VERSION "0.1.0"
#endif

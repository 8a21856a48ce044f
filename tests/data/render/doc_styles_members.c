//- /zdict.h
#define ZDICT_H 1

typedef struct {
    int      compressionLevel;   /**< optimize for a specific zstd compression level; 0 means default */
    unsigned notificationLevel;  //!< Write log to stderr; 0 = none (default)
    unsigned dictID;             ///< force dictID value; 0 means auto mode
    unsigned flags;
    /**< flags of the trainer, documented on the line after */
    unsigned extra;
} ZDICT_params_t;

enum level {
    LEVEL_FAST,   /*!< fastest, weakest */
    LEVEL_BEST,
    ///< slowest, strongest
    LEVEL_NONE
};

#define ZDICT_DICTSIZE_MIN 256 ///< smallest dictionary size
//- /zdict.c
#include "zdict.h"

int train(ZDICT_params_t *p)
{
    p->compressionLevel = LEVEL_FAST;
    p->notificationLevel = LEVEL_NONE;
    p->dictID = ZDICT_DICTSIZE_MIN;
    p->flags = LEVEL_BEST;
    return p->extra;
}

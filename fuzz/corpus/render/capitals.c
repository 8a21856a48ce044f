//- /caps.h
/**
 * start_engine - Start the engine
 */
int start_engine(int how);

/**
 * dma_sync - DMA sync of the buffer
 */
int dma_sync(int how);

struct engine {
	int speed;	/* The current speed */
	int irq;	/* IRQ line used */
};
//- /caps.c
#include "caps.h"

int drive(struct engine *e)
{
	start_engine(e->speed);
	e->irq = start_engine(1);
	dma_sync(e->irq);
	return dma_sync(2);
}

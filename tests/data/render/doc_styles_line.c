//- /buf.h
#pragma once

// A growable byte buffer.
// Callers own its memory.
struct buf {
	// The bytes.
	char *ptr;

	size_t size; // used bytes
	size_t asize; //!< allocated bytes
};

/// Bytes left before the buffer must grow.
#define BUF_SLACK 16

/// Appends one byte to the buffer.
int buf_putc(struct buf *b, char c);
//- /buf.c
#include "buf.h"

// Grow the buffer to hold at least the target size.
//
// Returns 0 on success.
static int buf_grow(struct buf *b, size_t target)
{
	b->asize = target + BUF_SLACK;
	return 0;
}

int buf_putc(struct buf *b, char c)
{
	if (buf_grow(b, b->size + 1))
		return -1;
	b->ptr[b->size++] = c;
	return 0;
}

//! Empties the buffer and keeps its memory.
void buf_clear(struct buf *b)
{
	b->size = 0;
}

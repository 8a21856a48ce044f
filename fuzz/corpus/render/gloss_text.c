//- /g.h
struct mm_struct;

/**
 * mmgrab() - Pin a &struct mm_struct.
 * @mm: The &struct mm_struct to pin, or %NULL when @mm is gone.
 */
void mmgrab(struct mm_struct *mm);

/**
 * long_one - This summary is deliberately long so that the gloss must be cut down to its first sentence. The second sentence is dropped from the gloss but kept in JSON.
 */
void long_one(void);

/**
 * no_sentence - averyveryverylongwordthatmustnotbecut averyveryverylongwordthatmustnotbecut averyveryverylongwordthatmustnotbecut averyveryverylongwordthatmustnotbecut
 */
void no_sentence(void);
//- /g.c
#include "g.h"

void user(struct mm_struct *mm)
{
	mmgrab(mm);
	long_one();
	no_sentence();
}

/*
 * media_impl.h — what the files of src/media/ share and nobody else
 * needs: the lock that keeps storing (media.c) and removing (prune.c) a
 * file pair from overlapping within one process.
 */
#ifndef HM_MEDIA_IMPL_H
#define HM_MEDIA_IMPL_H

void media_store_lock(void);
void media_store_unlock(void);

#endif

/**
 * The action registry: the ladder's rungs in order. Adding an action is its file plus one line here.
 */
import { Registry } from '../../core/registry.js';
import type { ResponseAction } from '../types.js';
import { containAction } from './contain.js';
import { deletePodAction } from './delete-pod.js';
import { labelAction } from './label.js';
import { quarantineAction } from './quarantine.js';

export const actionRegistry = new Registry<ResponseAction>('response action');
/** Ladder order: each later step also gets every earlier one that applies. */
export const LADDER: ResponseAction[] = [labelAction, quarantineAction, containAction, deletePodAction].map((a) => actionRegistry.register(a));

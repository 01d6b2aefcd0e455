import express from 'express';
import { MANAGER_ROUTES } from '@tunasync/client';
import type { ManagerRouteName } from '@tunasync/client';
import { createRouteMounter } from '../src/route-mounter';

const NAMES = Object.keys(MANAGER_ROUTES) as ManagerRouteName[];
const handler = () => undefined;

describe('createRouteMounter', () => {
  it('refuses to finish while a route of the table has no handler', () => {
    const mount = createRouteMounter(express());
    for (const name of NAMES.filter((n) => n !== 'history' && n !== 'ping')) mount(name, handler);
    expect(() => mount.finish()).toThrow('routes without a handler: ping, history');
  });

  it('refuses a route mounted twice', () => {
    const mount = createRouteMounter(express());
    mount('ping', handler);
    expect(() => mount('ping', handler)).toThrow('route ping is mounted twice');
  });

  it('finishes once every route has its handler', () => {
    const mount = createRouteMounter(express());
    for (const name of NAMES) mount(name, handler);
    expect(() => mount.finish()).not.toThrow();
  });
});

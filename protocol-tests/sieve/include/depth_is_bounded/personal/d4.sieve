require "include";
include "d5";

"""What each action does to a pose, as a function of its progress tau in [0, 1].

A movement action (one at a time per person) maps the pose it starts from to the pose at tau;
what it leaves (seated, arm up, turned round) carries into the next. Overlays (objects,
interactions, micro-actions) adjust arms and head on top. `towards` is +1 or -1: where the
other person (or the direction of travel) lies in x.
"""
from __future__ import annotations

import math
from dataclasses import replace

from fragmentforge.synthetic.people.skeleton import Pose, blend

UPRIGHT = dict(roll=0.0, lean=0.0, l_hip=0.0, r_hip=0.0, l_knee=0.0, r_knee=0.0, lift=0.0)
RAMP = 0.3  # the part of a state action spent getting into the state


def _ease(tau: float) -> float:
    tau = max(0.0, min(1.0, tau))
    return tau * tau * (3 - 2 * tau)


def _state(start: Pose, target: dict, tau: float) -> Pose:
    return blend(start, replace(start, **target), _ease(tau / RAMP))


def _gait(pose: Pose, phase: float) -> Pose:
    swing = 0.45 * math.sin(phase)
    return pose.plus(l_hip=swing, r_hip=-swing, l_knee=0.35 * max(0.0, -math.sin(phase)),
                     r_knee=0.35 * max(0.0, math.sin(phase)), l_shoulder=-0.35 * swing, r_shoulder=0.35 * swing)


def stand(start: Pose, tau: float, **_) -> Pose:
    return _state(start, UPRIGHT, tau)


def sit(start: Pose, tau: float, **_) -> Pose:
    h = start.height
    # thighs level on a stool, shins down; the pelvis drops by a thigh's length
    return _state(start, dict(UPRIGHT, l_hip=1.5, r_hip=1.5, l_knee=1.5, r_knee=1.5, lift=-0.24 * h), tau)


def crouch(start: Pose, tau: float, **_) -> Pose:
    h = start.height
    return _state(start, dict(UPRIGHT, lean=0.5, l_hip=2.0, r_hip=2.0, l_knee=2.6, r_knee=2.6, lift=-0.32 * h), tau)


def bend(start: Pose, tau: float, **_) -> Pose:
    return _state(start, dict(UPRIGHT, lean=1.25, l_shoulder=0.3, r_shoulder=0.3), tau)


def lie_down(start: Pose, tau: float, towards: float = 1.0, **_) -> Pose:
    h = start.height
    return _state(start, dict(UPRIGHT, roll=-math.copysign(math.pi / 2, start.facing), lift=-0.45 * h), tau)


def fall(start: Pose, tau: float, **_) -> Pose:
    h = start.height
    down = replace(start, **dict(UPRIGHT, roll=-math.copysign(math.pi / 2, start.facing), lift=-0.45 * h,
                                 l_shoulder=1.2, r_shoulder=1.0))
    return blend(start, down, tau ** 2)  # accelerating


def jump(start: Pose, tau: float, **_) -> Pose:
    crouching = 0.5 * max(0.0, math.sin(math.pi * min(1.0, 4 * tau)))  # the dip before take-off
    flight = max(0.0, math.sin(math.pi * (tau - 0.25) / 0.75)) if tau > 0.25 else 0.0
    return start.plus(lift=0.25 * start.height * flight, l_knee=crouching, r_knee=crouching, l_hip=crouching / 2,
                      r_hip=crouching / 2)


def walk(start: Pose, tau: float, towards: float = 1.0, frames: int = 12, speed: float = 0.6, **_) -> Pose:
    # `speed` heights a second over the segment; steps of about 6 frames
    pose = replace(start, facing=towards * abs(start.facing or 1.0))
    pose = pose.plus(x=towards * speed * start.height * tau * frames / 12)
    return _gait(pose, 2 * math.pi * tau * frames / 12)


def turn_around(start: Pose, tau: float, **_) -> Pose:
    return replace(start, facing=math.cos(math.pi * _ease(tau)) * start.facing)


def raise_an_arm(start: Pose, tau: float, side: str = "right", **_) -> Pose:
    return _limb(start, f"{side[0]}_shoulder", 2.8, tau)


def lower_an_arm(start: Pose, tau: float, side: str = "right", **_) -> Pose:
    return _limb(start, f"{side[0]}_shoulder", 0.0, tau)


def raise_a_leg(start: Pose, tau: float, side: str = "right", **_) -> Pose:
    return _limb(_limb(start, f"{side[0]}_hip", 1.3, tau), f"{side[0]}_knee", 0.4, tau)


def lower_a_leg(start: Pose, tau: float, side: str = "right", **_) -> Pose:
    return _limb(_limb(start, f"{side[0]}_hip", 0.0, tau), f"{side[0]}_knee", 0.0, tau)


def _limb(pose: Pose, joint: str, target: float, tau: float) -> Pose:
    value = getattr(pose, joint)
    return replace(pose, **{joint: value + (target - value) * _ease(tau)})


MOVEMENTS = {"stand": stand, "sit": sit, "crouch": crouch, "bend": bend, "lie down": lie_down, "fall": fall,
             "jump": jump, "walk": walk, "turn around": turn_around, "raise an arm": raise_an_arm,
             "lower an arm": lower_an_arm, "raise a leg": raise_a_leg, "lower a leg": lower_a_leg,
             # moving relative to another person is walking, facing them or not
             "approach": walk, "walk away from": walk}


# Overlays: (pose, tau, towards) -> pose; arms and head only.
def _arms(pose: Pose, shoulder: float, elbow: float, sides: str = "lr") -> Pose:
    out = {}
    for s in sides:
        out[f"{s}_shoulder"], out[f"{s}_elbow"] = shoulder, elbow
    return replace(pose, **out)


def carry(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 0.55, 1.0)  # both hands in front at the waist


def hold(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 0.25, 1.3, "r")  # one forearm up, the object in the hand


def lift(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 0.55 + 2.3 * _ease(tau), 1.0 * (1 - _ease(tau)))  # from the waist to overhead


def pick_up(pose: Pose, tau: float, **_) -> Pose:
    reach = math.sin(math.pi * tau)  # down to the floor and back up
    return _arms(pose, 0.1 + 0.35 * (1 - reach), 0.2, "lr").plus(lean=-pose.lean + 1.25 * reach)


def put_down(pose: Pose, tau: float, **_) -> Pose:
    return pick_up(pose, tau)


def throw(pose: Pose, tau: float, **_) -> Pose:
    swing = 3.0 - 2.0 * _ease(tau)  # wound up overhead, then forward
    return _arms(pose, swing, 0.3, "r")


def push_object(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 1.45, 0.1).plus(lean=0.25)


def pull_object(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 1.35, 0.6).plus(lean=-0.15)


def hand_to(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 0.6 + 0.9 * math.sin(math.pi * tau), 0.9 - 0.8 * math.sin(math.pi * tau), "r")


def hug(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 1.4, 0.9)


def push_person(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 0.5 + 1.0 * math.sin(math.pi * min(1.0, 2 * tau)), 0.1)


def point_at(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose, 1.55 * _ease(3 * tau), 0.0, "r")


def wave_at(pose: Pose, tau: float, frames: int = 12, **_) -> Pose:
    return _arms(pose, 2.6, 0.35 + 0.35 * math.sin(2 * math.pi * tau * frames / 6), "r")


def watch(pose: Pose, tau: float, **_) -> Pose:
    return pose


def nod(pose: Pose, tau: float, frames: int = 12, **_) -> Pose:
    return pose.plus(nod=0.45 * max(0.0, math.sin(2 * math.pi * tau * max(1, frames // 8))))


def shake_head(pose: Pose, tau: float, frames: int = 12, **_) -> Pose:
    return pose.plus(head_turn=0.9 * math.sin(2 * math.pi * tau * max(1, frames // 8)))


def shrug(pose: Pose, tau: float, **_) -> Pose:
    return _arms(pose.plus(shrug=math.sin(math.pi * tau)), 0.2, 1.2 * math.sin(math.pi * tau))


def touch_face(pose: Pose, tau: float, **_) -> Pose:
    up = _ease(min(1.0, 3 * tau)) * _ease(min(1.0, 3 * (1 - tau)))
    return _arms(pose, 0.4 + 0.5 * up, 0.3 + 2.2 * up, "r")


def tap_foot(pose: Pose, tau: float, frames: int = 12, **_) -> Pose:
    return pose.plus(r_hip=0.15 * max(0.0, math.sin(2 * math.pi * tau * max(1, frames // 5))),
                     r_knee=0.3 * max(0.0, math.sin(2 * math.pi * tau * max(1, frames // 5))))


def fidget(pose: Pose, tau: float, frames: int = 12, **_) -> Pose:
    wobble = math.sin(2 * math.pi * tau * max(1, frames // 4))
    return pose.plus(l_elbow=0.4 * wobble, r_elbow=-0.4 * wobble, l_shoulder=0.15 * wobble)


OVERLAYS = {"carry": carry, "hold": hold, "lift": lift, "pick up": pick_up, "put down": put_down, "throw": throw,
            "push an object": push_object, "pull an object": pull_object, "hand something to": hand_to, "hug": hug,
            "push a person": push_person, "point at": point_at, "wave at": wave_at, "watch": watch, "nod": nod,
            "shake head": shake_head, "shrug": shrug, "touch face": touch_face, "tap foot": tap_foot, "fidget": fidget}

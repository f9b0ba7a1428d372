#!/usr/bin/env python3
"""PyTorch peer of tools/bench/train_step.mjs: the same transfer model (Keras' Xception at
150x150 without its top, BatchNorm in inference mode, GAP, Dropout(0.2), Dense(1)) on the CPU or
a CUDA GPU, in fp32 or under autocast(bfloat16) (weights, optimizer state and loss stay fp32).
Times training steps (forward + backward + Adam, sigmoid cross-entropy on logits) in the frozen
and fine-tune phases, the whole model from scratch (BatchNorm with batch statistics), and the
base's inference forward. Prints one JSON object on stdout.

  $(bash tools/reference/venv.sh) tools/bench/train_step_torch.py [--batch 32] [--size 150] [--steps 2]
      [--threads 2] [--device cpu|cuda] [--autocast bf16]
"""
import json

import torch
from torch import nn

from step_peer import parse_args, timed


def bn(c):
    # Keras' BatchNormalization: epsilon 1e-3.
    return nn.BatchNorm2d(c, eps=1e-3)


class SepConv(nn.Module):
    """Keras SeparableConv2D without bias: depthwise 3x3 'same', then pointwise 1x1."""

    def __init__(self, cin, cout):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class Downsample(nn.Module):
    """Blocks 2, 3, 4 and 13: two separable convs with BN, max pool 3x3/2, strided 1x1 residual."""

    def __init__(self, cin, c1, c2, relu_first):
        super().__init__()
        self.relu_first = relu_first
        self.sep1, self.bn1 = SepConv(cin, c1), bn(c1)
        self.sep2, self.bn2 = SepConv(c1, c2), bn(c2)
        self.pool = nn.MaxPool2d(3, 2, padding=1)
        self.residual, self.bn_r = nn.Conv2d(cin, c2, 1, stride=2, bias=False), bn(c2)

    def forward(self, x):
        h = torch.relu(x) if self.relu_first else x
        h = self.bn1(self.sep1(h))
        h = self.bn2(self.sep2(torch.relu(h)))
        return self.pool(h) + self.bn_r(self.residual(x))


class Middle(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.seps = nn.ModuleList([SepConv(c, c) for _ in range(3)])
        self.bns = nn.ModuleList([bn(c) for _ in range(3)])

    def forward(self, x):
        h = x
        for sep, b in zip(self.seps, self.bns):
            h = b(sep(torch.relu(h)))
        return h + x


class Xception(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 32, 3, stride=2, bias=False), bn(32)
        self.conv2, self.bn2 = nn.Conv2d(32, 64, 3, bias=False), bn(64)
        self.blocks = nn.Sequential(
            Downsample(64, 128, 128, False), Downsample(128, 256, 256, True), Downsample(256, 728, 728, True),
            *[Middle(728) for _ in range(8)], Downsample(728, 728, 1024, True))
        self.sep3, self.bn3 = SepConv(1024, 1536), bn(1536)
        self.sep4, self.bn4 = SepConv(1536, 2048), bn(2048)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = self.blocks(x)
        x = torch.relu(self.bn3(self.sep3(x)))
        return torch.relu(self.bn4(self.sep4(x)))


class Transfer(nn.Module):
    def __init__(self):
        super().__init__()
        self.base = Xception()
        self.dropout = nn.Dropout(0.2)
        self.dense = nn.Linear(2048, 1)

    def forward(self, pixels):
        x = self.base(pixels / 127.5 - 1)
        return self.dense(self.dropout(x.mean((2, 3))))


def options(ap):
    ap.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    ap.add_argument('--autocast', choices=('bf16',), help='compute under torch.autocast(bfloat16)')


def describe(a):
    precision = 'autocast bf16' if a.autocast else 'fp32'
    if a.device == 'cuda':
        return f'PyTorch {torch.__version__} CUDA {precision}', f'{torch.cuda.get_device_name()}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}'
    return f'PyTorch {torch.__version__} CPU {precision}', f'{a.threads} threads, mkldnn {torch.backends.mkldnn.is_available()}'


def main():
    a = parse_args(__doc__.split('\n')[0], options)
    if a.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit(f'PyTorch {torch.__version__} sees no CUDA device')
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    device = torch.device(a.device)
    model = Transfer().to(device)
    x = (torch.rand(a.batch, 3, a.size, a.size) * 255).to(device)
    y = (torch.rand(a.batch, 1) > 0.5).float().to(device)
    loss_fn = nn.BCEWithLogitsLoss()
    autocast = torch.autocast(a.device, dtype=torch.bfloat16, enabled=a.autocast == 'bf16')
    label, detail = describe(a)
    result = {'backend': 'pytorch', 'label': label, 'reason': f'{label}: {detail}',
              'batch': a.batch, 'size': a.size, 'steps': a.steps, 'phases': {}}
    for phase in ('frozen', 'finetune', 'scratch'):
        model.train()
        # BatchNorm in inference mode in the recipe's two phases; from scratch (the base learns
        # without pretrained weights) it normalises with batch statistics and updates its moving ones.
        if phase != 'scratch':
            model.base.eval()
        for p in model.base.parameters():
            p.requires_grad = phase != 'frozen'
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.Adam(params, lr=1e-5 if phase == 'finetune' else 1e-3, eps=1e-7)

        def step():
            opt.zero_grad(set_to_none=True)
            with autocast:
                loss = loss_fn(model(x).float(), y)
            loss.backward()
            opt.step()
            return loss.item()  # waits for the device

        result['phases'][phase] = {'ms': timed(step, a.steps)}
    model.eval()

    def extract():
        with torch.no_grad(), autocast:
            features = model.base(x / 127.5 - 1)
        if a.device == 'cuda':
            torch.cuda.synchronize()
        return features

    result['phases']['inference'] = {'ms': timed(extract, a.steps)}
    print(json.dumps(result))


if __name__ == '__main__':
    main()
